using System.Numerics.Tensors;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// The content-only baseline: a user's profile is the mean text embedding of the items they liked (their training
/// positives), and every catalogue item scores the cosine between that profile and its own embedding. It needs no
/// interactions on the ranked items, so it ranks cold items. Users without positives, and items without text, score 0.
/// </summary>
public sealed class ContentSimilarityScorer : IItemScorer
{
    private readonly float[] _profiles; // [users, d], L2-normalised (zero when the user liked nothing with text)
    private readonly float[] _items;    // [catalogue, d], L2-normalised (zero without text)
    private readonly int _dimension;

    /// <summary>
    /// Builds the profiles from <paramref name="liked"/> (over its own vocabularies) and embeds the evaluation
    /// <paramref name="catalogue"/>; user indices are those of <paramref name="liked"/>'s users.
    /// </summary>
    public ContentSimilarityScorer(InteractionData liked, TextFeatures text, IdVocabulary catalogue)
    {
        ArgumentNullException.ThrowIfNull(liked);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(catalogue);
        int d = _dimension = text.Dimension;
        var likedText = Embed(text, liked.Items);
        _profiles = new float[liked.Users.Count * d];
        for (int u = 0; u < liked.Users.Count; u++)
        {
            var profile = _profiles.AsSpan(u * d, d);
            foreach (var i in liked.ItemsOf(u)) TensorPrimitives.Add(profile, likedText.AsSpan(i * d, d), profile);
            Normalize(profile);
        }
        _items = Embed(text, catalogue);
        ItemCount = catalogue.Count;
    }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (scores.Length != ItemCount) throw new ArgumentException($"Expected a buffer of {ItemCount} scores.", nameof(scores));
        var profile = _profiles.AsSpan(user * _dimension, _dimension);
        for (int i = 0; i < scores.Length; i++) scores[i] = TensorPrimitives.Dot(profile, _items.AsSpan(i * _dimension, _dimension));
    }

    /// <summary>Unit-length embeddings of the vocabulary's ids; zero rows for ids without text.</summary>
    private static float[] Embed(TextFeatures text, IdVocabulary vocabulary)
    {
        int d = text.Dimension;
        var rows = new float[vocabulary.Count * d];
        for (int i = 0; i < vocabulary.Count; i++)
        {
            var e = text.Find(vocabulary.GetIdText(i));
            if (e.IsEmpty) continue;
            var row = rows.AsSpan(i * d, d);
            e.CopyTo(row);
            Normalize(row);
        }
        return rows;
    }

    private static void Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
    }
}
