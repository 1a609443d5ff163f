"""Reference data: assemblies, chromosomes, cytobands, genes and the 1kGP sample table.

Every table is packaged (cnvbeacon/shared/data/, provenance in SOURCE.md there), parsed
on first use and cached for the life of the process. Functions taking an assembly accept
any alias normalise_assembly() knows ("hg38", "GRCh37.p13", "hs37d5", ...).
"""

from cnvbeacon.shared.reference.assemblies import (
    ASSEMBLIES,
    Assembly,
    accepted_assembly_names,
    normalise_assembly,
)
from cnvbeacon.shared.reference.chromosomes import (
    chromosome_length,
    chromosomes,
    genome_length,
    in_pseudoautosomal_region,
    infer_assembly,
    normalise_chromosome,
    pseudoautosomal_regions,
    refget_id,
    refseq_id,
)
from cnvbeacon.shared.reference.cytobands import (
    Band,
    GenomicRegion,
    band_at,
    bands,
    cytoband_label,
    cytoband_region,
)
from cnvbeacon.shared.reference.genes import (
    GeneLocus,
    gene_loci,
    genes_of_call,
    genes_overlapping,
    suggest_genes,
)
from cnvbeacon.shared.reference.samples import (
    DRAGEN_COLLECTION,
    SampleRecord,
    Sex,
    load_1kgp_samples,
    parse_sample_table,
    read_sample_table,
)

__all__ = [
    "ASSEMBLIES",
    "DRAGEN_COLLECTION",
    "Assembly",
    "Band",
    "GeneLocus",
    "GenomicRegion",
    "SampleRecord",
    "Sex",
    "accepted_assembly_names",
    "band_at",
    "bands",
    "chromosome_length",
    "chromosomes",
    "cytoband_label",
    "cytoband_region",
    "gene_loci",
    "genes_of_call",
    "genes_overlapping",
    "genome_length",
    "in_pseudoautosomal_region",
    "infer_assembly",
    "load_1kgp_samples",
    "normalise_assembly",
    "normalise_chromosome",
    "parse_sample_table",
    "pseudoautosomal_regions",
    "read_sample_table",
    "refget_id",
    "refseq_id",
    "suggest_genes",
]
