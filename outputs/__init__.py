"""What bankflow gives back: the HTML report (``outputs.report``) and exports to other bookkeeping tools
(``outputs.export``). Both only read the warehouse's marts."""
