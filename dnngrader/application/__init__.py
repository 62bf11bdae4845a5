"""The second assignment, dnn_application: a two-layer and an L-layer network that tell cats from
non-cats in 64x64 RGB images, read from HDF5 files.

- ``data``: load and check the data files, flatten and scale the images;
- ``standin``: the kit's generated stand-in data set, with the original files' schema;
- ``models``: the reference models and ``predict``, built on the first assignment's helpers;
- ``python -m dnngrader.application``: train both reference models and report their figures.

The assignment's notebook is source/dnn_application/dnn_application.ipynb (dnngrader/build.py
generates its helper copies and its release).
"""
