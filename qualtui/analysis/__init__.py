"""Analyses across the coded data: co-occurrence, crosstabs, frequencies and saturation.

Pure computations on plain data, with no Textual and no store access beyond the one adapter
:func:`qualtui.analysis.data.from_project`:

* :mod:`qualtui.analysis.data` - the inputs (codes, documents, segments), filters and levels;
* :mod:`qualtui.analysis.cooccurrence` - the code x code matrix by a boundary sweep;
* :mod:`qualtui.analysis.matrices` - code x document/case/attribute crosstabs, frequencies;
* :mod:`qualtui.analysis.saturation` - new codes per interview and the saturation point;
* :mod:`qualtui.analysis.export` - CSV tables and GraphML/DOT networks.
"""
