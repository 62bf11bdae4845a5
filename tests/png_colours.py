"""What is in a PNG image the tests produced (a notebook's figure, a browser's screenshot)."""

import io
from dataclasses import dataclass

import matplotlib.image
import numpy as np


@dataclass
class Colours:
    width: int
    height: int
    distinct: int  # how many different RGB colours the image uses
    largest_share: float  # the fraction of pixels that have the most common colour

    @property
    def looks_blank(self):
        # A blank page or an empty figure is one colour almost everywhere; a rendered notebook or a
        # plot has text, lines and shading in many colours.
        return self.distinct < 100 or self.largest_share > 0.95


def colours(png):
    """Colour statistics of a PNG given as a file path or as its bytes."""
    source = io.BytesIO(png) if isinstance(png, bytes) else png
    pixels = matplotlib.image.imread(source, format="png")  # floats in [0, 1], RGB or RGBA
    rgb = np.round(pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    _, counts = np.unique(rgb, axis=0, return_counts=True)
    return Colours(
        width=pixels.shape[1],
        height=pixels.shape[0],
        distinct=len(counts),
        largest_share=float(counts.max() / len(rgb)),
    )
