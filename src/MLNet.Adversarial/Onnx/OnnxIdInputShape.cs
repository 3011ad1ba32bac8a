namespace MLNet.Adversarial.Onnx;

/// <summary>How the exported models declare their raw-id inputs (<c>user</c>, <c>item</c>).</summary>
/// <remarks>
/// No single declaration serves every consumer: ONNX Runtime checks the rank of a declared shape, ML.NET's
/// <c>ApplyOnnxModel</c> (6.0.0) cannot load an input without a declared shape (it dereferences the missing shape)
/// while it feeds every scalar column as a <c>[1,1]</c> tensor, and tools that read shapes (Netron, Triton's
/// configuration) want a batch dimension. Every graph flattens its ids first, so all three score the same.
/// </remarks>
public enum OnnxIdInputShape
{
    /// <summary>
    /// Declared <c>[N]</c>, N symbolic (the default): a batch of ids, as ONNX Runtime, Triton and Netron read it.
    /// ONNX Runtime callers pass <c>[N]</c> (a <c>[N,1]</c> tensor is rejected for its rank).
    /// </summary>
    Batch,

    /// <summary>
    /// Declared <c>[N,1]</c>: what ML.NET's <c>ApplyOnnxModel</c> needs to score scalar id columns. ONNX Runtime
    /// callers must then pass <c>[N,1]</c> (a <c>[N]</c> tensor is rejected for its rank).
    /// </summary>
    Column,

    /// <summary>
    /// Rank unspecified (no shape), flattened inside the graph: ONNX Runtime accepts <c>[N]</c> and <c>[N,1]</c>.
    /// ML.NET's <c>ApplyOnnxModel</c> cannot load such a model, and shape readers show no batch dimension.
    /// </summary>
    AnyRank,
}
