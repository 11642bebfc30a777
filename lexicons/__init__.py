"""voc's lexicons: plain files a bank edits (formats in README.md), shipped inside the wheel as package data."""
