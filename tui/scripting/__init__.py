"""Non-interactive output: `vonage-tui <screen> -o json|csv` prints a screen's data and exits.

Never imports Textual. ``run`` is the entry point (exit codes, one-line errors, closed pipes);
``access`` finds the credentials and hosts, ``exports`` fetches each screen's data, ``paging``
keeps concurrent pages in server order, ``output`` writes JSON and CSV as the data streams in.
"""
