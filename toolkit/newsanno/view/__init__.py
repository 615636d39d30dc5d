"""Views of a corpus for people: the static HTML site (``render``), the HTML validation report
(``htmlreport``) and the terminal diff of quote fidelity (``fidelity``)."""
