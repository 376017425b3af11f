"""Understanding the question: what kind of answer it wants, and what a follow-up refers back to."""
