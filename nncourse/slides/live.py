"""Live slides in JupyterLab: a contents manager that lets jupyterlab-slideshow read the course's cells.

The course marks every cell with a slide type, ``"-"`` for "continue the current slide" (as Jupyter's
slideshow metadata defines it). jupyterlab-slideshow 0.3 only treats a cell *without* a slide type
that way and leaves a ``"-"`` cell off every slide, so the playground's sliders would never appear.
This contents manager (``make lab`` starts JupyterLab with it) removes ``"-"`` when a notebook is
opened and writes it back when the notebook is saved, so the files keep the course's convention.
Start it yourself with::

    jupyter lab --ServerApp.contents_manager_class=nncourse.slides.live.SlideshowContentsManager
"""
from __future__ import annotations

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager


def drop_continue_marks(nb: dict) -> dict:
    """Remove ``slide_type: "-"`` from every cell of a notebook (a dict), in place; return it."""
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        show = meta.get("slideshow")
        if isinstance(show, dict) and show.get("slide_type") == "-":
            del show["slide_type"]
            if not show:
                del meta["slideshow"]
    return nb


def restore_continue_marks(nb: dict) -> dict:
    """Give every cell without a slide type ``slide_type: "-"``, in place; return the notebook."""
    for cell in nb.get("cells", []):
        meta = cell.setdefault("metadata", {})
        show = meta.get("slideshow")
        if show is None:
            meta["slideshow"] = {"slide_type": "-"}
        elif isinstance(show, dict) and "slide_type" not in show:
            show["slide_type"] = "-"
    return nb


class SlideshowContentsManager(AsyncLargeFileManager):
    """JupyterLab's default contents manager, with ``"-"`` slide types hidden from the front end."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            drop_continue_marks(model["content"])
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            restore_continue_marks(model["content"])
        return await super().save(model, path)
