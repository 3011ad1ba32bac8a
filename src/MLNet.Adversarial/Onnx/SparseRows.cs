namespace MLNet.Adversarial.Onnx;

/// <summary>
/// The names of a CSR matrix's two int64 initializers inside a graph: <see cref="Offsets"/> [rows + 2] (the last row, an
/// unknown id's, empty) and <see cref="Columns"/> [entries], each row's column indices in ascending order.
/// </summary>
internal readonly record struct SparseRows(string Offsets, string Columns);
