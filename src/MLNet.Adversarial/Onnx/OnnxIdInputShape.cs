namespace MLNet.Adversarial.Onnx;

/// <summary>How the exported models declare their raw-id inputs (<c>user</c>, <c>item</c>).</summary>
/// <remarks>
/// No single declaration serves both consumers: ONNX Runtime checks the rank of a declared shape, and ML.NET's
/// <c>ApplyOnnxModel</c> (5.0.1) cannot load an input without a declared shape (it dereferences the missing shape)
/// while it feeds every scalar column as a <c>[1,1]</c> tensor.
/// </remarks>
public enum OnnxIdInputShape
{
    /// <summary>
    /// Rank unspecified (no shape), flattened inside the graph: ONNX Runtime accepts <c>[N]</c> and <c>[N,1]</c>.
    /// ML.NET's <c>ApplyOnnxModel</c> cannot load such a model.
    /// </summary>
    AnyRank,

    /// <summary>
    /// Declared <c>[N,1]</c>: what ML.NET's <c>ApplyOnnxModel</c> needs to score scalar id columns. ONNX Runtime
    /// callers must then pass <c>[N,1]</c> (a <c>[N]</c> tensor is rejected for its rank).
    /// </summary>
    Column,
}
