"""Activity reports: indicators computed from the files, exported as JSON, XLSX and PDF."""
