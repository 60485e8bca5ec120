"""Measuring Signpost: the golden question set (`signpost eval`) and the benchmarks
(`signpost bench`)."""
