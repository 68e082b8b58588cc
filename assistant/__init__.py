"""Citation-grounded question answering over news articles."""

import os

# NumPy's BLAS threads spin against each other on small matrices (a question's embedding,
# score vectors) and make them many times slower on a busy 2-core machine; torch keeps its own
# thread pool for the batched work. Set before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# The tokenizers library's thread pool fights torch's for the same two cores during ingest.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
