"""Build and book: execute the section notebooks, render the book, publish (the layer above ``report``)."""
