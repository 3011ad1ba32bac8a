using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// Re-keys a model for serving key columns. ML.NET maps an id that <c>MapValueToKey</c> never saw to the missing
/// key, whose value comes back as empty text or NaN; parsing that into an integer id fails. So key columns are
/// served as the text of their key values (<c>MapKeyToValue</c>, then <c>ConvertType</c> to text for numeric
/// values), and the serving copy of the model has text ids spelled exactly as ML.NET spells them. The missing key
/// and keys of ids absent from training get the fallback rows.
/// </summary>
internal static class KeyIndexedModel
{
    public static FactorizationModel For(MLContext mlContext, FactorizationModel model, DataViewSchema.Column user, DataViewSchema.Column item)
    {
        int d = model.Dimension;
        var (users, userFactors) = Rekey(mlContext, model.Users, user, model.UserFactors, d);
        var (items, itemFactors) = Rekey(mlContext, model.Items, item, model.ItemFactors, d);
        var (_, itemBias) = Rekey(mlContext, model.Items, item, model.ItemBias, 1);
        return users == model.Users && items == model.Items
            ? model
            : new FactorizationModel(users, items, d, userFactors, itemFactors, itemBias);
    }

    private static (IdVocabulary, float[]) Rekey(MLContext mlContext, IdVocabulary vocabulary, DataViewSchema.Column column, float[] rows, int width)
    {
        if (column.Type is not KeyDataViewType) return (vocabulary, rows);
        var keyIds = DataViewInteractionReader.KeyValueIds(column)!; // key columns without values are rejected before training
        var texts = KeyValueTexts(mlContext, column);
        var ids = new List<string>();
        var copied = new List<float>();
        for (int k = 0; k < keyIds.Count; k++)
        {
            int row = keyIds.Kind == IdKind.Int64 ? vocabulary.IndexOf(keyIds.Int64Values[k]) : vocabulary.IndexOf(keyIds.StringValues[k]);
            if (row < 0) continue;
            ids.Add(texts[k]);
            copied.AddRange(rows.AsSpan(row * width, width));
        }
        // The vocabulary sorts its ids, so reorder the copied rows to match.
        var vocabularyOut = IdVocabulary.FromStrings(ids);
        var ordered = new float[copied.Count];
        for (int r = 0; r < ids.Count; r++)
            copied.CopyTo(r * width, ordered, vocabularyOut.IndexOf(ids[r]) * width, width);
        return (vocabularyOut, ordered);
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
