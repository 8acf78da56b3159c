"""Safe spreadsheet reading and writing, shared by every app that imports or exports a sheet.

It lives in the lowest layer (the project package) so that agencies and assessments both use it
without agencies ever importing assessments.
"""
