using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// Id maps for serving key columns. ML.NET maps an id that <c>MapValueToKey</c> never saw to the missing key, whose
/// value comes back as empty text or NaN; parsing that into an integer id fails. So key columns are served as the
/// text of their key values (<c>MapKeyToValue</c>, then <c>ConvertType</c> to text for numeric values), and the
/// serving graph accepts those texts, spelled exactly as ML.NET spells them, each mapped to the model's row of that
/// id (<see cref="OnnxIdMap"/>). The missing key and keys of ids absent from training get the fallback.
/// </summary>
internal static class KeyColumnIdMap
{
    /// <summary>The id map for serving <paramref name="column"/> with a model whose vocabulary is <paramref name="vocabulary"/>; null for a column that is not a key column.</summary>
    public static OnnxIdMap? For(MLContext mlContext, IdVocabulary vocabulary, DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType) return null;
        var keyIds = DataViewInteractionReader.KeyValueIds(column)!; // key columns without values are rejected before training
        var texts = KeyValueTexts(mlContext, column);
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < keyIds.Count; k++)
        {
            int row = keyIds.Kind == IdKind.Int64 ? vocabulary.IndexOf(keyIds.Int64Values[k]) : vocabulary.IndexOf(keyIds.StringValues[k]);
            if (row >= 0) rowOf.TryAdd(texts[k], row);
        }
        var ids = IdVocabulary.FromStrings(rowOf.Keys);
        var rows = new int[ids.Count];
        foreach (var (text, row) in rowOf) rows[ids.IndexOf(text)] = row;
        return new OnnxIdMap(ids, rows);
    }

    /// <summary>Each key's value as text, produced by ML.NET's own conversion so the spelling matches serving.</summary>
    private static string[] KeyValueTexts(MLContext mlContext, DataViewSchema.Column column)
    {
        var valuesType = column.Annotations.Schema["KeyValues"].Type;
        var itemType = valuesType is VectorDataViewType v ? v.ItemType : valuesType;
        if (itemType is TextDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> texts = default;
            column.GetKeyValues(ref texts);
            return texts.DenseValues().Select(t => t.ToString()).ToArray();
        }
        if (itemType == NumberDataViewType.Single)
        {
            VBuffer<float> values = default;
            column.GetKeyValues(ref values);
            var floats = values.DenseValues().ToArray();
            var view = mlContext.Data.LoadFromEnumerable(floats.Select(f => new FloatRow { Value = f }));
            return mlContext.Transforms.Conversion.ConvertType("Text", nameof(FloatRow.Value), DataKind.String).Fit(view).Transform(view)
                .GetColumn<string>("Text").ToArray();
        }
        VBuffer<double> doubles = default;
        column.GetKeyValues(ref doubles);
        var doubleView = mlContext.Data.LoadFromEnumerable(doubles.DenseValues().ToArray().Select(n => new DoubleRow { Value = n }));
        return mlContext.Transforms.Conversion.ConvertType("Text", nameof(DoubleRow.Value), DataKind.String).Fit(doubleView).Transform(doubleView)
            .GetColumn<string>("Text").ToArray();
    }

    private sealed class FloatRow { public float Value { get; set; } }

    private sealed class DoubleRow { public double Value { get; set; } }
}
