"""A synthetic 1000 Genomes DRAGEN CNV cohort, clearly labelled synthetic.

One bgzipped VCF per sample in exactly the format of the real DRAGEN 3.5.7b file of HG00096,
with per-sample statistics measured from that file at generation time and population
structure from a catalogue of shared CNV loci. See `python -m bench.cohort --help`.
"""
