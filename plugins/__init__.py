"""The built-in plugins, registered through the ``factfold`` entry-point group like any other.

The entry-point modules are the plugins: ``people``, ``meetings``, ``agreements``,
``statistics`` (extractors) and ``readers`` (HTML, Markdown, DOCX, PDF).  Every other module
here is a part of one of them (``people_zh`` and ``people_en`` with their ``people_zh_*``
and ``people_en_*``, ``meetings_*``, ``statistics_*``, ``parties_*``, ``read_*``) or a
helper they share (``text``, ``dates``, ``numbers``, ``fields``, ``lexicons``,
``confidence``, ``persons``, and ``nlp``, the tagger adapter); none of them is API.  They
use only the public ``factfold`` API.
"""
