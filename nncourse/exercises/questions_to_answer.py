"""Exercises of the ``questions_to_answer`` notebook: the eight review questions, graded.

Most are quizzes (:class:`~nncourse.exercises.explained.ExplainedQuiz`: a letter, a set of letters
or a number; keys are salted hashes as in :mod:`nncourse.exercises.quiz`) that explain themselves
once answered, with notes sealed by the answer they belong to. One question is a function,
``one_unit_logit``.
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import register
from nncourse.exercises.explained import ExplainedQuiz, note_key, seal, unseal  # noqa: F401 (public here too)
from nncourse.exercises.function import FunctionExercise


# -- question 1: one unit from two (the function exercise registered below, after the unit counts) ---
def two_logits_to_one(logits: np.ndarray) -> np.ndarray:
    """The logit ``z`` of one sigmoid unit with ``sigmoid(z) = softmax(logits)[:, 1]``: ``l1 - l0``.

    Parameters
    ----------
    logits : ndarray, shape (N, 2)

    Returns
    -------
    z : ndarray, shape (N,)
    """
    logits = np.asarray(logits, dtype=np.float64)
    return logits[:, 1] - logits[:, 0]


def _logit_args(rng: np.random.Generator, N: int, scale: float) -> tuple:
    logits = scale * rng.standard_normal((N, 2))
    logits[0] = (abs(logits[0, 0]) + 1.0, -abs(logits[0, 1]) - 1.0)  # both orders in every case
    logits[1] = (-abs(logits[1, 0]) - 1.0, abs(logits[1, 1]) + 1.0)
    return (logits,)


# -- the quizzes (generated: keys are answer hashes, notes are sealed) -------------------------------
units_two_classes = register(ExplainedQuiz(
    'questions_to_answer.units_two_classes',
    target='answer_units_two_classes',
    title='output units for telling dogs from cats',
    answer_format='number',
    count=True,
    keys=('defb293ef4cea46ddccb59ea0ce78a6c79a347ae8b8cc816ded6b63d2d4fcab5',),
    notes={
        '65d2bfcdfed9ea49235a07bddbb4700f4200ac6def2a27cef04a280409d0a551':
            'pRxOnDl8uJ7IRVK8Ck+SNkbqujwIjqP/3JyHUM2lpX5BXLOKSce7sbIzHy75EvTC7H6B6Mwh38BWBZ3P5sJaPRqY5MYf5+KqNgjC'
            'KrNH6LT/+fFQLVlBoQjxSo37VtWYm3Ih+Z1RMvweqibNvAOXvKe2eDvPL7e/eW+oAbvG/nNo2tSOJXerFyJ66XU33Bw+GcSxC5Ff'
            'cFi4BIeUcNQgvZts8LEBxIpo1Cc+ttSZy0wpl9HwOmWm5DmKeo4X7/YasJzj4xYCHnLUAaXYHU495HCQAANjzl3XxaHD',
        '3b1ac7a42a5121f80a1ea7851d3659efb44ae81e3e1b9588b1ea75495924e09e':
            'TkfcJfHbSYSnjSUYt/VxMQEgbl3ihCwmrYK03JWdL5k2X73c1w3anfoaLzqQEMC7nh34eNXIPnkRfoBumU7EnS5G+nPeYBX5IgbD'
            '3k7aeLQA/h6eAOJVunX9f/vA5DRx1+z5SA6O3o0uSD1Q4Scj+CuOKMHCrT8wKVnmKSvfIEyY/OpRp+49+b3yLyPP8dUMujVaq740'
            'cRP7i/0zNS8LluhfsEryhOA=',
        'b9f338e303e1ed13f422f0a75345786fa0abcb5de5eb170c42a291fc021c20da':
            '7+YAa84zgEsbPaKzdMXWho20WFIfwKHvekiktAJRqd3qsPdhdVaqB3cn7J2FJUgYvh/GRT0lf+gg0AVCPkWAURE=',
    },
    points=1,
    hints=(('Count how many numbers you need to know both P(dog) and P(cat), given that they add '
            'up to 1.'),),
))

units_ten_classes = register(ExplainedQuiz(
    'questions_to_answer.units_ten_classes',
    target='answer_units_ten_classes',
    title='output units for telling the ten digits apart',
    answer_format='number',
    count=True,
    keys=('0a7bc27e2b73c783fbec189e29af42b73983b2632a256d2af84e2d09f352ebf4',),
    notes={
        '9b91e88c0f1a7c026764da65e0ddc6d063b3817e0778d7cbab57614927285fb7':
            'qJb0JQ6Tnt0+ICMSJLHTdczr7ZpLLYnCJIXf/nmGAy+NWj0HissFn7hTqBrPEnyB+9LkezrGdNcUKHW9XeGi6XUY44RrSamH6MLT'
            'nKFN7xWOkieabmX4sxuRLC7KML3GUa7Zxu79kgimK0NCqlt/k5AzB4D2CTItIukMmSF0hHd+MJWQUNa56aMZVhtlwVEKc7HrNaNy'
            'qnqo+sw=',
        'a5aa8bbeeb05646c1baa10f04f6f13f7efb701924b47dce47f4ff3610eeefe9d':
            'd+fYZWIUUg3W1kh0ZA35V6a/OzeXzMvAD0Okon2n/G+Nk+gAMKpIMnaZbEfErI88bal+/JPMpK6lEx+m2wA3rHmYzxZE6YR6nTf8'
            'Xi0/BGia37HC8SktLrGW0q3e1cqSZIkZ/lRINQO1fxqjUPgdrEFlCdgrfFxirfKfcjz6H1FdKN5kdxMg3gJ0Tb4+YkBXWdR0vxk0'
            'm5esVpPDHxIsFBBbpQDXQPN/QwQuL6TQyL3v/EA7cL6AlaljU+iQ89/HjDhF9U5MQDY1qhkR/Q==',
        '9b02d6275ffaaf90868a84cf270f879a85fc5a5225e81660d3b499a1ef9810e2':
            'xP79M3SMuBvwyRbAiaLuQWbOSw2Htp7n45qJPbw2Ddvi+SHj88C4bmBT+kf+HrV03ejUJ7FSnOknYnXoZCqdUixI6D8YEE5h6hQL'
            '1zH2qugrw4u5dL8HYsdLGP+MSeuAQq6rpgC/uk4DN3x/oInC/PWpLgbUbd/ZGzZmRrevVoyG1MndgMaVOhnd/hoqhakynkVLAuBx'
            '9CQOB0X4BokFVj1kLFK1RvYZ28VWrfMyy719fP18c223cr06o+g9weIDGp+B/4SRPJOA',
        '72923194fd32c10db788026190e8a297ac0960ffc2f8652650a41ce956404de1':
            'AcoVToqRMw9j1CYUGJm1wNpgOYKNfVmMrhg+ZiMNX/EO9lBRHcUK7KlHuTEu55hT4b3yZXb1+fhuoJdRGcrS6AOizCZ/DZC35eYa'
            'cIClLuWN+tRnFqvNohRr3+14IP/Og4ssqTznzso2ajoTGpJ/jT87+n4WgdN81h0XXe5v6WiH0zb2UCdYoeXiflScmurdsy6s3WMa'
            'Yxy6cQ5q87M=',
    },
    points=1,
    hints=('With a softmax output layer, each class gets its own score.',),
))

one_unit_logit = register(FunctionExercise(
    "questions_to_answer.one_unit_logit",
    target="one_unit_logit",
    title="the one-unit logit that gives a two-unit softmax's probabilities",
    reference="nncourse.exercises.questions_to_answer:two_logits_to_one",
    make_args=_logit_args,
    public_shapes=[{"N": 3, "scale": 1.0}, {"N": 4, "scale": 3.0}],
    random_shapes=[{"N": 5, "scale": 2.0}, {"N": 6, "scale": 5.0}, {"N": 3, "scale": 0.5}],
    arg_names=("logits",),
    outputs="z",
    rtol=1e-9, atol=1e-12,
    points=2,
    time_limit=5.0,
    hints=(
        "z holds one number per example, shape (N,), and it is a logit (any real number), not a "
        "probability: sigmoid(z) must equal the softmax probability of class 1.",
        "z is the log-odds of class 1: write the softmax probability of class 1, divide its numerator "
        "and denominator by exp(l1), and compare what is left with 1 / (1 + exp(-z)).",
        "softmax(l)[1] = 1 / (1 + exp(l0 - l1)) = sigmoid(l1 - l0): the answer is logits[:, 1] - logits[:, 0].",
    ),
))

equal_weights = register(ExplainedQuiz(
    'questions_to_answer.equal_weights',
    target='answer_equal_weights',
    title='all weights of a layer equal to one He-drawn value',
    answer_format='choice',
    options=('A', 'B', 'C', 'D'),
    keys=('9355788c580ea20023e23b56b84493949b28d09a72d448188274f6e0bc1828c4',),
    notes={
        'cddd0f6bb8e602be293be191812b369e4bda63b9906919f7906398169942409b':
            '9DdQp9PntaKSJjZvblF/a6fFDqlAtz3GekzTBtP9hzRiAy6HmavybDPMEudDQfokU5CQTuFeu0ymh653IvjDy/Ee7eXQag/dLvsT'
            'Tp7UnAcETyUAru+MYI9y/Zxoxto4Tq4FAd7vemvdgPSfMMprNtBUjkL3wlqOa2aD10EThqIz32OEU9BIUN9XwSB5lynM77G8++Q3'
            'pMR6Eb08n6C+G1RGCEMxTM1oAGRcMkl95ZqxF+wa+1+yNYDn/31Uu5uD44BAgmEchBJMn0lbS6YalqZvT7emtgnvrMLH+8oB1tIb'
            'qAoz7EOH6xVC97Qpm+zVLSHqoeIVvL0R+6IttlzOGE0puPMRUWit3VCJKAEpa09i1Iq80Fv6aKEwtjBZjIAB7V+//0zP08mTTigJ'
            'b24=',
        'be0b270add7ec23f2cbcf58bdb2110a083f27395e8fa0f0d2e90d7a38fb85753':
            'BbbqVpxADbRSV4f9pZVHWmsKIHpUyEw2rBxA29jtDIeJU4MVPnej9gztjq5RSUx4aSkkcegcUuvcFJliOillHTo2jnWI5ibmIh0B'
            'QB/hPHS8KhgF3x5QzZ9pvbRLN26ohGif2PiN0cl948DNWXk2xh/sDJVAOXRSYGmUAJKJxb0NZZae5D0nYjpNxsJX1nLpfZVNQ08G'
            'HG3Y8CKcWE4dO6XpNqUVGJNOcVFriN+09Pf6cEMixCaHLSUtLw==',
        'f26760c098cea5a51ccee787ef283ff0ccfef566d619573f49dea9543980afb2':
            'xgC7GgMRLCZe89lSzeJkRcAuXJbryztHY0gOjXwYK8+P0Zo25HH6vjf7hLkOeEIflIuevmSwywtoHj/kWSBAzxBHt9S7mW73x5/g'
            'Hdv5DUhyHGILA0YgmGuYMa7w49QLfLq5D28VNPwurF6qmJPc8hlFw6InoNEXCmNR/3GQuPoA2X+oX3wWIijJ1DxbGzuMu4RnXBTw'
            'OlpZlfE=',
        'dbdac74125c4e41fda3e4e25beb4a1f99faaef4c89031c1bc21d2f5b1b590df5':
            'G/1IG5O019zhZZbx5ReMddZuBcqGSkivAtP7vnXo1q6IBNNTmxjmsUOcbCgb6cCQCp5JXSBkLsxilbN5qoaog2h651sgv91Mh8Si'
            'GVUeKODupEH1lpLN4Kn3tufgq9qtOR3B/OFR0scnRcBMp7823tpORhKpOpuDfDqvPKPlOnSGf8gt9oSu+gNkdTHhDUAxz0eiBCIK',
    },
    points=1,
    hints=(('Think about two hidden units of the same layer: what do they compute, and what '
            'gradient do they receive, if they start with the same weights?'),),
))

overfitting = register(ExplainedQuiz(
    'questions_to_answer.overfitting',
    target='answer_overfitting',
    title='hyperparameter changes that reduce overfitting',
    answer_format='choices',
    options=('A', 'B', 'C', 'D', 'E', 'F', 'G'),
    keys=('3d46a76b650d93461c498754989a07967bf0a8b067885db2a6dfad2acd6c062e',),
    notes={
        'd41de7de4be32b4e3e7ca161102db19a55f79ddc7af8ac082c41445f51e377db':
            'CjZ3CK3dwuvkSI++YTX6cjX8Lun2MHo5LvENiwHWmQzCpBmknrdoZ7AdQs1HgsNFnwnUd287rwayMIA4vmjZ9ZpvPhzpas3+qU4g'
            'uB1kpQyMU0hEUmbPabo/I+DEZyvN5LWDme8iCaNPwKLx9TIqaHnR7Kli130nNNwquGpLnt/oIpLD7oWrdGTh7i1r7CiIRVbKIxZE'
            'm4OL/IRm9FhhjhhDW0U0Ow9vr7IHMOFj0/XiYpvQERR9bV50xuI7d9iTWcNlhz09J4YfCex8q7HkS5yIfN6IX2vTt4HRgmoMWZk8'
            'yQI8ioNpif0bERJoqVMS7/aiiPVXtNADEsMfGxFLchPE6MODwqM9JkwYChIE',
        '5be97e60b4dce4b21ab0327ae6f3371c3d39dacc4486bdd414e5a2a276c1d7db':
            'Y2aQNkiVDacBlz+e93UqRaKsWgKm18rayjzODR0u/dLyNgjly3022pX5MDWQzzvDYDsXjVGSEUJ7zGmOmFm1oYMmWopdrOLu7/eE'
            'ML/f/GlGSfPpI0JWm/G4B/A=',
        '4f0616fac579df6d6b17718fcd9024f9c9911358acb11ba440327cd759213fd3':
            '67Yy0BTEfL2XgZqPpCmhkC1RqFTrFcPLqcViL4GR5D5UdoNaDzPPjkkcnzS0EggaDzAgKmlRI66nLtzgaXbig3CvGiTq6+RHQ6of'
            'hhINib7M',
        '68162afbfab2fdcaa06fd443ded1e4eee5b192f034871a95f74b6c0bab86e7e2':
            'HvAZuQHAwpucHnmHD5kRRaC3bmb2MdZ+vt9AMufWwCTnG/k0y9WOZUZcyyxm3KaozBxAkx81teZFKcJFXXsDE+VDpNVAIuL56jjP'
            'fDxYuA38hSMyjeBgeihCp8/I79UqFtYy7EPX',
    },
    points=1,
    hints=(('Overfitting means the network fits the training set too closely. Ask of each change: '
            'does it give the network less freedom (or less time) to memorise the training '
            'examples, or more?'),),
))

logistic_output = register(ExplainedQuiz(
    'questions_to_answer.logistic_output',
    target='answer_logistic_output',
    title='why a logistic output for classification',
    answer_format='choice',
    options=('A', 'B', 'C', 'D'),
    keys=('0a942f4d1a4b127b4d81a20faa33ed37f562d321e4bd6069455494cf0e2adad5',),
    notes={
        'df30c874a18a0d61ed070c1c90b7736501c2688239bd4320f34ce6530355da27':
            '7TSunbv30qabJuyOn0EXt+GHdkJ/IjMz2Zhpkb640EKnXgWDhkq0bgtQbpfiNuSpbNWsjBYdv0AEs2G46m9ms3v1amO092RMedcS'
            'x1aLVFsWDegTZ2Q69D7MCxU/PmS0XOlqrlQA1FKL8wVrep8u8+mFp0PAvOqayg6pXbvOilDRxEILCXomYQepjXThqj7v2NHInmmv'
            'LyLsBVy2IKM+A4xl0j/JGiPtt1HEsIew2DrlRDBaW+hRnrXK7O3/PDHl5/eS+IXo7EFna/GcRMrFcAVV6hNZC2LtNNk+6t3mrL7k'
            'Aeg8OnvwHr5Qrhcn3A37edCZbsU9kZsPX4l/E1UXYEGWpU4ZpHc=',
        '1a04ee43fffd021b2a4080c7bf8d45fd0cbae8cd6b16e71f82d72cadceea5208':
            '1mcJj6QgZhWHm85Of7cbZrkM3z1EaQjTbn4cjIrVHa41yZcIFMn6y3okvXSvUHA26/5ZAYTpl5YAS9Zc59BoY4U+W/EbBdELz/sQ'
            'zlxULzR7jx1THsMRQpmLYZsgtg==',
        '07ab38646f54b09e84f39f3608980e14a52a77c839f7bd2d90ae89d7f73b7f0a':
            'r7jPrtO4bjGSDNxcOf2gdjjAVArhSTMqnXGvqf/kbUylnUYBeocL7RyWw8OP9lZNbZWTHT4sbVYLrAHfIn9nJ6rOHivI9tBvLpsV'
            'RBBHmYw4ZAIlWCPiVOeTVJU1m1gZ0sJNKALa6bBEH17i+pdwWFGBP8zJILOlUZof8FXtscyRFJHLEHGhmf6yVy1jt+qzFxYVChcX',
        'a4fe4a5fd1dd4e1510f8b8d009bb034415ab3ae54334c2cdee551eb7ec3e0c78':
            'ud32+9YO8AoqfZ7n3dS7BoQEPK6v7OHJfsqcFM/AQrCj6iwINYYzO9P45r7fJLDkZYcyrlEkPL5YfSNOxlYt2Ztja6VWhQYSoUPA'
            'BiniLMqvwIJ3ga9vzZqKKBU=',
    },
    points=1,
    hints=(("Look at the range of the logistic function's output and at what you want a classifier"
            ' to report.'),),
))

layers_not_to_transfer = register(ExplainedQuiz(
    'questions_to_answer.layers_not_to_transfer',
    target='answer_layers_not_to_transfer',
    title='which layers not to reuse',
    answer_format='choice',
    options=('A', 'B', 'C', 'D'),
    keys=('2c9f879af41dba92bfd68cf0060002c7018407f5c8b4a4e35fa44d764a262359',),
    notes={
        'c7026ca7faf6741a37da310fe51259c33d550b1a1573a4685e4f8c5eb6f9707c':
            'jQIF12LB+RmK9TgZKUE/Owd4DRfZYaLNk8/dXk7tn3Y2hnRAl3skmsDty/NgXXGk2zAahvZKQgGDg3xG8cVDIygEKXCv8FLbeA4U'
            'nnnQnuMfFc7pqIF8eyEW0mXXZcgJcD5/DOw9UX0CARdub7q25xG1nCTuFpuDuQKHtltroKJ5WI6cRIlJQ5OdTKh3gFhjl4jGg4xg'
            '3vV2Yw8aNrMOjL1JbAfyku0f38JKl2yFNa5JQ2fTprtVD7dQo7UQ5ChtjPu5uMjNbrKni5sZix1RAzLkVVa+0mQSEl3n485+r8dW'
            '1Xp2FXXdplRvIE0y6w8KzCQlcGqIJV+qOqCvnRHxvOeOjA==',
        'f228b734be23eef6893fa0cdfac19b8d414db9dad920c00e3ec076780a782ed1':
            's+mgFYt7nEFHX0HdySrGJ4tnedDLk73BZ7YTHUOPBWHW6TjY8AlpiOEfcFxgySclO/ORPEk7OrnBi6CKfLfRaN/jSmteqBh6LsUj'
            'mLRZp0sOHZGQCsaRZTHijZWMwAaaaUUiiaWg9hIOmp9StWJuqMOzZzWBzoJpH1uNdOPwEJ1g',
        '55aa71d1ba2a1271445d46e250e7a8f1b0b721c4e537105213fca7fe5ee6f8e8':
            'iOuAprJ1xi4lH+OnKG1ve4nbXNzRMyhyJ4AHbxM/rrlvEe2CvoA93LoYSzCEdsj9Z1+icxEXSArnPzK5ykCJmOAqXTPiqdw1N3PE'
            'pQCK0zIzNdwFK7psWdMckSxO2IkELMMkV4Qh03S6lbZDjw==',
        'a47deb002230a0f8fa01f31b30e7e79506bf0ad774ffc44b97211c304edf096c':
            '3FWal1dVnCyVOCBkwulKxZ6v8x8Slu7BhjVV87jrJo0bHWnTu1qk+jD5O2DEj0Wq71ZCe7ZZJaedvVrHHBTpupp2VC6WkMjFFnCO'
            't5Eo8UVUbf/o3/pvRuU=',
    },
    points=1,
    hints=(("Which layer of the source network is tied to the source task's own classes, and which"
            ' layers hold the most general features?'),),
))

why_freeze = register(ExplainedQuiz(
    'questions_to_answer.why_freeze',
    target='answer_why_freeze',
    title='what freezing reused layers does for training',
    answer_format='choices',
    options=('A', 'B', 'C', 'D', 'E', 'F'),
    keys=('2181857a02c7318ad20cfe478002a0d5def315f5afa5cc963c26b237c8fe41c8',),
    notes={
        'b7c56192a4948ed771541447e0611b4c126bd32a3386a60e8903c7b289ff04b8':
            'vYu6Ss4DbyG53u1VtRmCwTcR8Pkzsj72HbeP7RbNM4POwzTD3qHUvnK8IH76THYe321A6mPUqRHjCBzw1ssl/YokyqUfintP9FOj'
            'nbM8TbE5ZZ9wL2GpxS1Cmrv5rCzDki8XmkKX86PsMbo/5TU/iZE3SQvLOhfjOyvfjvjba5dv7SX3rmIz8ApTqXz0KLjsED0HaY/B'
            'LKMbSlf/qmw6z3Gmshyk2vVv2ZHXxTEIN/eStfQxkFnWIfnpypCdkfi9QfnD3IaStdJYPcZdDeRa5bN8v4fFwIw/NBpvoDUo8qSW'
            'G4lWAe3J06iwzKdMnx6h5/gJ9f60UwpRxqVZf8Zc18oqPNvu8hT6VjHr/ir0krjFY5U0Y0mnOXOXdakVuJBS94v1cT0xkL/IObMz'
            'AfNauZ+DJNaNiH6sfp9gaXq1',
        '2afcb0b8426ca6231d4c1e29e5ecffa377e68c5e43cb9274883dd8035c36f4ad':
            'GgZLYjWV+3cNDF3f7gKmMrv8KbszrvNNIvn1oGUmMr6L54zr0Vs3tQ/To7ASj8B4Oh7p0//+AGx8oGTSoOZo',
        'c57e7f07b92bab3930d6cf79fd4b2db53b4feece77f81af09da6dfcab68c4de1':
            'SgCKVc3mcbzDN2L6CokpLSoKtthjBBhG4cvtohTYFKVl+u6MOoB4Ekq0GxWsmIecOG0546kF65kkt4qFom+ybNT4fof6CaP4XtFR'
            'Eh2CBg4t9uJLy/iNn4b/LVE7yydi',
        '2c2c77fa3062152a2a11c88273c645d8526c1a021117593f344c956c2669a22f':
            'jB+2etFF479w/eow0La0CjdLgKvSPQ52FuGzux8IyodJBXZnnIj4Ww/aV571eVzP8h+h+679FtjIYoICdiOoiKYj4q7OP1hTBmsl'
            'lDtWYkDjURUwx6LBFU2jEHI6xQStrPJW',
    },
    points=1,
    hints=(('Compare what the optimizer has to learn, and from how many labelled examples, with '
            'and without the reused layers frozen.'),),
))

unlike_source = register(ExplainedQuiz(
    'questions_to_answer.unlike_source',
    target='answer_unlike_source',
    title='transfer from a very different task',
    answer_format='choice',
    options=('A', 'B', 'C', 'D'),
    keys=('e2ae6adf2f03cb25e9e9d01212453dced5017f821489d2f55d780146efa00ee7',),
    notes={
        '7d16ed76bab7398f3294734329e903a959f78c9e9be438e19ccf65c15001cf4f':
            'uDK8os3ZU4IrM7LsFsFlr3IxUHWsIARSUb+jJLnShw3qrHqhqhCasbUBJU8IU6otdK4AjzEYfGjc59Aa2CQuyLBOAQgtULRB/kRr'
            '0be8+riQuTIJYDYVcZ/lyHaInPuPYMD45M1jq0HnwxG/0nam1CatMx/c/2zWMT1JW2DrD0Hx4dSpzvQLJ/RuC+klsW+gdBJGY84Y'
            'hDrpbJTnwKNDFrMwQxdKBxLtnWcjTkpMA/AUmNAdRhUUDv7PiPgp85qPzCketxZx3H54qBKNwFkAiuOzO8sUW4oy4cJ81Wcu253b'
            '13JiwNxTkgN2HZlWJzb7',
        'ac0ee0411782d3cffdcfeb22fec714a08b8acfa29a49772df41923f33dd073ce':
            'Dtw5XsSxhShI6thEls9FjLf7H19Et/SExTIPhiAOge6DyFELfip6egIo9LOjTK3zoeBpGg8tFwGPCOCBvkdjXsON4eG3nng8tmGD'
            'cXt7mrEr4IhPHZ9X7LQhL5LlV7pKr8nqbGXlzA==',
        '3d50271be00e48225c5f21b5d5b913245f6d9aa5d73ef77eef1a65489af12d3f':
            'KFEp6e9Jefqu9KmUbWL+gb4jikw4Mbr2NgqzrKpvEgvakjEBHh5ZE2eD1dyo1N+h0fvpMtO53rOpFLKaOjkHQ5h3ATgUrsOvi6HB'
            'v8nzGTR0HSvnsWVHvmuelJuG0dyYT+dT6HYsR+v4lAfcwWr/',
        'ddc1cf557f956f09f0ce1d3b5b3d7e674de6ad9e873424a0016b38a59df2e6e7':
            '1a1rcOhEJTYhB5bSMKrB2fEgU3sHQLV7kxvxxB1a2Un8rFZIRuEgDtapIzHoDp+lOf7e31zYeEKc1ee3xaBRr3M+EHcsyoUyaOlF'
            '/M2OYYrXsBZT5lDE',
    },
    points=1,
    hints=(('Reused layers carry features that were useful for the source task. When are those '
            'features useful for yours?'),),
))

dropout_cost = register(ExplainedQuiz(
    'questions_to_answer.dropout_cost',
    target='answer_dropout_cost',
    title='what dropout costs in training and at inference',
    answer_format='choice',
    options=('A', 'B', 'C', 'D'),
    keys=('8a0e314e7f9c456ce23f6e13cc386fd4254fffaeca3e0a9cafb4bf217a3155e4',),
    notes={
        'bf2c194018f7ee71d9bd441b855d733c3041cd7deb6b5910a34bbc372dec6fe5':
            'e6mVKpQZYF4mo9YtafjVbcC1EA0TE06o4pwQ8zLl3xm1chEQGvDHES/TyEDmUgeLbjxCrkyEJS0sMNoohWusz0pA+670ucsFXSoR'
            'biFggAMc3YxuUrNhG2hQrRYi/zRliZ8lv9C5rDjdlsSwL3mRWpyvaFbqI9jrhjyf3CsoOY4m/J5lrMW1U8roU9MtkV9l91ImKwW7'
            'RQv80TyDa4hXUZLjXlzbMPXHdQLh1DiGm3BRATg0Cpz6OXr6h0AoS+Y0Q2U65Hfnu2Os+BWZMQNLVHmyU1eWT265/H25m8vXPnfD'
            'KpIu77Bh3op7X2/WIBBCBaFOLtvSVLeesEsjuY/b4JvI7lVjKPFawbP0jfkUY19doSG8ehJ9PNmxvhF5FxlSwN6i9eotDg==',
        '2a7a4a9c8519db232a762fa58b18ba1aa55fffe1a1d495217349b25c50e7fad1':
            'KeBxm8X0XrHEIMYWDR9q6IaZhAg10Ms6JkIk49rpBYmBDNk4YZRrQ37kZqsys3HEcRRkpHBmaGreH6iLsfpwjOINupmbekTqAXjH'
            'G/VKQIgo9AztEevwe8zKdAgMZek7G0k=',
        '8ce9629a19675e6528eb72054921a9682b1219c00c04ad32b8eaacf2baa0af6e':
            's1eQL1cnsSa/Mj8ouVVs1nl4Gz4iwpRZLlMCi7ZPAbsKMsbjmqUbl7CVQiPCWLfNS933AQWk+bM7nfYWKJUvWvjgaeHgh2bvyZPb'
            'AeZp4MWM/Dfd0yFTMX7xieLaocZv6sAIRNoXmmjH3Mp/gTRQ9QboStjtHf74',
        '66ca51a4d69e1669204886144f27694691a2a6f2c01deca2d633f59934688df3':
            '0fF+NUqwiQjBUamDX5WT5Egt94xXFil2PYqGXoVr3DMxNP44CUVcXBtpNiiRW0I0yYd4EGfNss1CAMHZw6ZGEDcqG0LZe5V6rUlL'
            'URbfXgRzdRaonFUPSQ6RJ7fvCD8hxROrzlowFpQSs9Xbo8ucp0Jp9RodUGPCyllohS+p7r1WOlGs1uwwlk9K',
    },
    points=1,
    hints=(('What does a Dropout layer do when train=False, and what does dropping units do to how'
            ' fast the training loss falls?'),),
))
