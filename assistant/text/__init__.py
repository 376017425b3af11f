"""The shared text toolkit: tokens and stems, sentences, dates, numbers and money, names, the facts a
sentence states, similarity and IDF, and the everyday-word lexicon. Nothing here knows the corpus."""
