using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// Raw ids a graph should accept in place of the model's own vocabulary, each mapped to a row of the model.
/// Serving key columns uses it: ML.NET hands over the text of the key values, which for numeric ids is spelled
/// differently from the model's ids, so the graph is keyed by those texts while the model's rows stay as they are.
/// </summary>
public sealed class OnnxIdMap
{
    /// <summary>Maps <paramref name="ids"/>[k] to model row <paramref name="rows"/>[k].</summary>
    public OnnxIdMap(IdVocabulary ids, int[] rows)
    {
        Ids = ids ?? throw new ArgumentNullException(nameof(ids));
        Rows = rows ?? throw new ArgumentNullException(nameof(rows));
        if (rows.Length != ids.Count) throw new ArgumentException($"Expected {ids.Count} rows, got {rows.Length}.", nameof(rows));
    }

    /// <summary>The raw ids the graph accepts.</summary>
    public IdVocabulary Ids { get; }

    /// <summary>The model row of each id in <see cref="Ids"/>.</summary>
    public int[] Rows { get; }
}
