"""Data: DataSet, minibatch iterators, CSV sequence import and export, and the bundled data sets
(``workbench.data.datasets``)."""
from workbench.data.dataset import DataSet
from workbench.data.export import CsvSequenceFiles, to_csv_sequences
from workbench.data.iterators import DataSetIterator, ListDataSetIterator
from workbench.data.normalize import NormalizerStandardize
from workbench.data.records import CSVSequenceRecordReader, FileSplit, NumberedFileInputSplit, SequenceFileError
from workbench.data.sequence_iterator import AlignmentMode, SequenceRecordReaderDataSetIterator
from workbench.data.text import CharacterIterator

__all__ = [
    "AlignmentMode", "CSVSequenceRecordReader", "CharacterIterator", "CsvSequenceFiles", "DataSet",
    "DataSetIterator", "FileSplit", "ListDataSetIterator", "NormalizerStandardize", "NumberedFileInputSplit", "SequenceFileError",
    "SequenceRecordReaderDataSetIterator", "to_csv_sequences",
]
