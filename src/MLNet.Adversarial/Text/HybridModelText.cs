using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Text-side operations on a <see cref="HybridFactorizationModel"/>. They live here, not on the model, so that Models
/// does not depend on Text (Text sits above Models and Onnx in the layering, docs/architecture.md).
/// </summary>
public static class HybridModelText
{
    /// <summary>
    /// The model with the text-only items of <paramref name="text"/> that the catalogue lacks added (see
    /// <see cref="HybridFactorizationModel.WithNewItems(IReadOnlyList{string}, IReadOnlyList{float[]})"/>); known ids keep their trained vectors.
    /// </summary>
    /// <exception cref="ArgumentException">The text embeddings' width is not the model's (another encoder?).</exception>
    public static HybridFactorizationModel WithNewItems(this HybridFactorizationModel model, TextFeatures text)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Dimension != model.ItemText.TextDimension)
            throw new ArgumentException($"{text.Name}: its text embeddings have {text.Dimension} values; the model's item text embeddings have {model.ItemText.TextDimension} (another encoder?).", nameof(text));
        var ids = text.Ids.Where(id => model.Items.IndexOf(id) < 0).ToArray();
        return model.WithNewItems(ids, ids.Select(id => text.Find(id).ToArray()).ToArray());
    }
}
