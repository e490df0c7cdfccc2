"""Reports people read: a plan's and a network's standing as HTML, PDF, XLSX and Markdown."""
