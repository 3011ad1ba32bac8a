using MLNet.Adversarial.Data;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Onnx;

/// <summary>The raw-id inputs every exported recommender graph shares, whatever the model behind them.</summary>
internal static class OnnxIdInputs
{
    /// <summary>
    /// Declares raw-id input <paramref name="name"/>, flattens it to <c>[N]</c> and maps it to row indices of a model
    /// whose vocabulary is <paramref name="vocabulary"/> (or, with <paramref name="map"/>, the ids that map names);
    /// ids outside it get <c>vocabulary.Count</c>, the index of the model's fallback row. Returns the index tensor's name.
    /// </summary>
    public static string RawIdToIndex(OnnxGraphBuilder g, string name, IdVocabulary vocabulary, OnnxIdMap? map, OnnxIdInputShape shape)
    {
        var keysVocabulary = map?.Ids ?? vocabulary;
        g.Input(name, ElementType(keysVocabulary), DeclaredDims(shape));
        if (!g.HasInitializer("flat_shape")) g.Initializer("flat_shape", [-1L], 1);
        var flat = g.Node("Reshape", [name, "flat_shape"], $"{name}_flat");
        var rows = new long[keysVocabulary.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = map is null ? i : map.Rows[i];
        var keys = keysVocabulary.Kind == IdKind.Int64
            ? OnnxGraphBuilder.Attr("keys_int64s", keysVocabulary.Int64Ids)
            : OnnxGraphBuilder.Attr("keys_strings", keysVocabulary.StringIds);
        return g.Node("LabelEncoder", OnnxGraphBuilder.MlDomain, [flat], [$"{name}_index"],
            keys, OnnxGraphBuilder.Attr("values_int64s", rows), OnnxGraphBuilder.Attr("default_int64", vocabulary.Count))[0];
    }

    /// <summary>The dimensions an id input is declared with (null: no shape).</summary>
    public static object[]? DeclaredDims(OnnxIdInputShape shape) => shape switch
    {
        OnnxIdInputShape.Batch => [OnnxContract.BatchDimension],
        OnnxIdInputShape.Column => [OnnxContract.BatchDimension, 1L],
        OnnxIdInputShape.AnyRank => null,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown id input shape."),
    };

    /// <summary>The value of metadata <see cref="OnnxMetadataKeys.IdInputShape"/> for <paramref name="shape"/>.</summary>
    public static string MetadataValue(OnnxIdInputShape shape) => shape switch
    {
        OnnxIdInputShape.Batch => OnnxContract.BatchIdInputs,
        OnnxIdInputShape.Column => OnnxContract.ColumnIdInputs,
        _ => OnnxContract.AnyRankIdInputs,
    };

    /// <summary>The ONNX element type of a vocabulary's ids.</summary>
    public static DataType ElementType(IdVocabulary v) => v.Kind == IdKind.Int64 ? DataType.Int64 : DataType.String;
}
