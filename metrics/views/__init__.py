"""Pages of shared measurement: reading (pages), staff's forms (edit), and the data import in
the browser (imports)."""
