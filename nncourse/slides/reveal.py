"""The deck page: reveal.js, its speaker-notes plugin, the course's slide style, all inline.

reveal.js 5 and its notes plugin (MIT) are read from the ``sphinx-revealjs`` package's static files
(installed with the ``lab`` extra; no Sphinx code runs) and written into the page, so a deck is one
file that needs no network. The notes plugin carries the speaker view's HTML in its script and
writes it into a pop-up window, so the speaker view (``s``) also works from ``file://``.

The slides are laid out on a 1280 x 720 canvas (16:9) that reveal.js scales to the screen. Sizes on
that canvas (multiply by 1.5 for a 1920 x 1080 screen): body text 30 px, headings 52 and 42 px,
code and text output 24 px; figures fill the height the text leaves, at least 330 px (46%) and are re-drawn with 16 pt
labels when the deck is built with ``--execute`` (about 22 px on the canvas). A slide whose content
is taller or wider than the canvas is first shrunk a little (to 80% at most), then split at its
blocks into continuation slides; a block too big alone is shrunk until it fits (the slide's
``data-fit`` attribute records the factor).
"""
from __future__ import annotations

import html
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from .cells import Slide

WIDTH, HEIGHT = 1280, 720


@lru_cache(maxsize=1)
def reveal_dir() -> Path:
    """The folder of reveal.js's files inside the installed ``sphinx-revealjs`` package."""
    spec = importlib.util.find_spec("sphinx_revealjs")  # finds the package without importing Sphinx
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("building slides needs reveal.js from the sphinx-revealjs package: "
                         "pip install -e '.[lab]'")
    folder = Path(next(iter(spec.submodule_search_locations))) / "_static" / "revealjs"
    if not (folder / "dist" / "reveal.js").is_file():
        raise ValueError(f"no reveal.js in {folder}; reinstall sphinx-revealjs")
    return folder


def _asset(relative: str) -> str:
    text = (reveal_dir() / relative).read_text(encoding="utf-8")
    # a script's text must not close its own <script> element
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


STYLE = """
.reveal{font-family:"DejaVu Sans","Helvetica Neue",Arial,system-ui,sans-serif;font-size:30px;
  line-height:1.35;color:#1d1d1d}
.reveal-viewport{background:#fbfbf8}
.reveal .slides{text-align:left}
.reveal .slides section{height:100%;padding:0;box-sizing:border-box}
.nn-slide{height:100%;box-sizing:border-box;padding:28px 48px 40px;display:flex;flex-direction:column;
  gap:.4em;overflow:hidden;overflow-wrap:anywhere}
.nn-slide>*,.nn-step>*,.nn-cell>*{flex:0 0 auto}
.nn-step,.nn-cell{display:flex;flex-direction:column;gap:.4em;flex:0 0 auto;min-height:0}
.nn-step.nn-has-figure,.nn-cell.nn-has-figure{flex:1 1 0;min-height:auto}
.nn-figure{flex:1 1 0;min-height:11em;display:flex;justify-content:center}
.nn-figure img{width:100%;height:100%;object-fit:contain;margin:0;max-width:none;max-height:none}
.reveal h1,.reveal h2,.reveal h3,.reveal h4{font-weight:600;line-height:1.15;margin:0 0 .25em;color:#17324d}
.reveal h1{font-size:1.75em}.reveal h2{font-size:1.4em}.reveal h3{font-size:1.15em}.reveal h4{font-size:1em}
.reveal p{margin:.25em 0}.reveal ul,.reveal ol{margin:.2em 0 .2em 1.2em;padding:0}.reveal li{margin:.15em 0}
.reveal pre{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.8em;line-height:1.3;
  white-space:pre-wrap;margin:0;width:auto;box-shadow:none}
.reveal code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.9em}
.reveal pre code{font-size:1em;max-height:none;overflow:visible;padding:0;background:none}
.reveal pre.nn-code{background:#fff;border-left:6px solid #3b6ea5;padding:.35em .6em}
.reveal pre.nn-out{color:#333;padding:0 .2em}
.reveal table{border-collapse:collapse;font-size:.8em;margin:.2em 0}
.reveal td,.reveal th{border:1px solid #bbb;padding:.15em .45em}
.reveal math{font-family:"DejaVu Math TeX Gyre","STIX Two Math","Latin Modern Math","Cambria Math",math;font-size:1.05em}.reveal math[display=block]{margin:.3em 0}
.reveal .nn-tex-error{color:#a12}
.reveal blockquote{margin:.3em 0;padding:.2em .8em;border-left:6px solid #ccc;background:none;
  box-shadow:none;width:auto;font-style:normal}
.reveal a{color:#2a5d9f}
.reveal .slide-number{font-size:16px}
"""

# before reveal.js starts: a slide taller or wider than the canvas is split at its blocks (a
# paragraph, a list, a figure, a fragment) into continuation slides headed "(continued)"; what
# still does not fit (one block too big alone) is shrunk as a whole, never below 35%
_FIT = """
(function(){
  var slides=document.querySelector('.reveal .slides');
  slides.style.width=CONFIG.width+'px';slides.style.height=CONFIG.height+'px';
  function over(el){return el.scrollHeight>el.clientHeight+1||el.scrollWidth>el.clientWidth+1}
  function shown(sec,fn){
    var saved=[],node=sec;
    while(node&&node.tagName==='SECTION'){saved.push([node,node.style.display]);node.style.display='block';node=node.parentElement}
    try{return fn()}finally{saved.forEach(function(s){s[0].style.display=s[1]})}
  }
  function shrink(el,floor){
    var s=1;el.style.fontSize='';
    while(over(el)&&s>floor+1e-9){s-=0.03;el.style.fontSize=(s*100).toFixed(0)+'%'}
    el.dataset.fit=s.toFixed(2);return !over(el);
  }
  function units(box){
    var out=[];
    [].slice.call(box.children).forEach(function(c){
      if(c.classList.contains('nn-md')&&c.children.length>1){
        [].slice.call(c.children).forEach(function(g){var d=document.createElement('div');d.className='nn-md';d.appendChild(g);out.push(d)});
      }else out.push(c);
    });
    return out;
  }
  function split(sec){
    var box=sec.querySelector(':scope>.nn-slide');
    if(!box||!over(box))return;
    var parts=units(box),first=parts[0],head=null;
    if(first&&first.classList.contains('nn-md')&&first.children.length===1&&/^H[1-4]$/.test(first.firstElementChild.tagName))head=first;
    box.innerHTML='';
    var page=box,count=0,last=sec,minimum=head?2:1;
    parts.forEach(function(u){
      page.appendChild(u);count++;
      if(count>minimum&&over(page)){
        page.removeChild(u);
        var next=document.createElement('section'),nbox=document.createElement('div');
        nbox.className='nn-slide';next.appendChild(nbox);next.className='nn-continued';
        last.parentNode.insertBefore(next,last.nextSibling);last=next;next.style.display='block';
        if(head){var h=head.cloneNode(true);h.firstElementChild.textContent+=' (continued)';nbox.appendChild(h)}
        page=nbox;page.appendChild(u);count=head?2:1;
      }
    });
    [].slice.call(document.querySelectorAll('section.nn-continued')).forEach(function(n){n.style.display=''});
  }
  [].slice.call(document.querySelectorAll('.nn-slide')).forEach(function(box){
    var sec=box.parentElement;
    shown(sec,function(){if(!shrink(box,0.8)){box.style.fontSize='';split(sec)}});
  });
  [].slice.call(document.querySelectorAll('.nn-slide')).forEach(function(box){
    shown(box.parentElement,function(){shrink(box,0.35)});
  });
  Reveal.initialize(CONFIG).then(function(){Reveal.layout();document.body.dataset.fitted='yes'});
})();
"""


def _section(slide: Slide) -> str:
    steps = []
    for index, step in enumerate(slide.steps):
        if not step:
            continue
        figure = " nn-has-figure" if any("nn-figure" in block for block in step) else ""
        if index == 0:
            steps.append("\n".join(step))
        else:
            steps.append(f"<div class='nn-step fragment{figure}'>{''.join(step)}</div>")
    notes = f"<aside class='notes'>{''.join(slide.notes)}</aside>" if slide.notes else ""
    return f"<section><div class='nn-slide'>\n" + "\n".join(steps) + f"\n</div>{notes}</section>"


def render_html(slides: list[Slide], title: str) -> str:
    """The whole deck as one self-contained HTML page (reveal.js inline)."""
    groups: list[list[Slide]] = []
    for slide in slides:
        if slide.vertical and groups:
            groups[-1].append(slide)
        else:
            groups.append([slide])
    body = []
    for group in groups:
        if len(group) == 1:
            body.append(_section(group[0]))
        else:
            body.append("<section>" + "\n".join(_section(s) for s in group) + "</section>")
    config = {
        "width": WIDTH, "height": HEIGHT, "margin": 0.04, "minScale": 0.2, "maxScale": 3.0,
        "center": False, "hash": True, "slideNumber": "c/t", "transition": "none",
        "navigationMode": "linear", "controls": True, "progress": True, "pdfSeparateFragments": False,
        "pdfMaxPagesPerSlide": 1, "plugins": "__PLUGINS__",
    }
    config_js = json.dumps(config).replace('"__PLUGINS__"', "[RevealNotes]")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{_asset('dist/reset.css')}</style>\n<style>{_asset('dist/reveal.css')}</style>\n"
        f"<style>{STYLE}</style></head>\n<body>\n<div class='reveal'><div class='slides'>\n"
        + "\n".join(body)
        + "\n</div></div>\n"
        f"<script>{_asset('dist/reveal.js')}</script>\n<script>{_asset('plugin/notes/notes.js')}</script>\n"
        f"<script>var CONFIG={config_js};{_FIT}</script>\n</body></html>\n"
    )
