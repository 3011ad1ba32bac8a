using System.Numerics.Tensors;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Models;

/// <summary>
/// A trained hybrid (id + text) factorisation model: score(u, i) = (p_u + V·(s_u − c_s)) · (q_i + W·(t_i − c_t)) + b_i,
/// where p, q, b are the id factors of a <see cref="FactorizationModel"/>, t_i the item's text embedding and W a learned
/// projection (<see cref="ItemText"/>); the user side has the same optional text part (<see cref="UserText"/>).
/// Items that have only text can be added after training (<see cref="WithNewItems(IReadOnlyList{string}, IReadOnlyList{float[]})"/>):
/// their id part is the mean item's, so their score differs from the average item's by their text alone.
/// </summary>
/// <remarks>
/// <see cref="Effective"/> holds the summed vectors as a plain <see cref="FactorizationModel"/>; scoring, evaluation and
/// unknown ids work through it, so an id outside the vocabularies gets the mean of the effective vectors (and the mean bias).
/// </remarks>
public sealed class HybridFactorizationModel : IRecommenderModel
{
    /// <summary>Combines the id factors with the item (and optionally user) text parts, whose rows follow the model's vocabularies.</summary>
    /// <exception cref="ArgumentException">A text part's row count or k does not match the id factors.</exception>
    public HybridFactorizationModel(FactorizationModel idFactors, TextProjection itemText, TextProjection? userText = null)
    {
        IdFactors = idFactors ?? throw new ArgumentNullException(nameof(idFactors));
        ItemText = itemText ?? throw new ArgumentNullException(nameof(itemText));
        Check(itemText, idFactors.Items.Count, idFactors.Dimension, "item", nameof(itemText));
        if (userText is not null) Check(userText, idFactors.Users.Count, idFactors.Dimension, "user", nameof(userText));
        UserText = userText;
        var items = idFactors.ItemFactors.ToArray();
        TensorPrimitives.Add(items, itemText.ProjectAll(), items);
        var users = idFactors.UserFactors;
        if (userText is not null)
        {
            users = users.ToArray();
            TensorPrimitives.Add(users, userText.ProjectAll(), users);
        }
        Effective = new FactorizationModel(idFactors.Users, idFactors.Items, idFactors.Dimension, users, items, idFactors.ItemBias);
    }

    private static void Check(TextProjection text, int rows, int dimension, string side, string parameter)
    {
        if (text.Count != rows) throw new ArgumentException($"The {side} text part has {text.Count} rows; the model has {rows} {side}s.", parameter);
        if (text.Dimension != dimension) throw new ArgumentException($"The {side} text projection has k = {text.Dimension}; the id factors have k = {dimension}.", parameter);
    }

    /// <summary>The id part: user and item embeddings p, q and item biases b.</summary>
    public FactorizationModel IdFactors { get; }

    /// <summary>The item text embeddings, their centre and the learned projection W.</summary>
    public TextProjection ItemText { get; }

    /// <summary>The user text part, when the model was trained with user text.</summary>
    public TextProjection? UserText { get; }

    /// <summary>The model with the text parts added in: p_u + V·(s_u − c_s), q_i + W·(t_i − c_t) and b_i.</summary>
    public FactorizationModel Effective { get; }

    /// <summary>User vocabulary.</summary>
    public IdVocabulary Users => IdFactors.Users;

    /// <summary>Item vocabulary (the catalogue).</summary>
    public IdVocabulary Items => IdFactors.Items;

    /// <summary>Embedding size k.</summary>
    public int Dimension => IdFactors.Dimension;

    /// <summary>The score of a (user index, item index) pair; -1 uses the fallback (mean effective) row.</summary>
    public float Score(int user, int item) => Effective.Score(user, item);

    /// <summary>Scores every catalogue item for user index <paramref name="user"/> (-1: unknown user).</summary>
    public void ScoreAllItems(int user, Span<float> scores) => Effective.ScoreAllItems(user, scores);

    /// <summary>
    /// The model with items that have only a text embedding added to the catalogue, without retraining. A new item's id
    /// part is the mean id vector and mean bias of the trained items — an item nobody has interacted with is, as far as
    /// the interactions say, an average item — so its score is the average item's plus what its text adds (through the
    /// trained W). Ranking among new items therefore depends on their text alone; ranked next to trained items they
    /// start on the scale of an average one.
    /// </summary>
    /// <exception cref="ArgumentException">Counts differ, an id is already in the catalogue or repeated, an id is not an integer for an integer-id model, or an embedding's width is not the model's text dimension.</exception>
    public HybridFactorizationModel WithNewItems(IReadOnlyList<string> ids, IReadOnlyList<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (ids.Count != embeddings.Count) throw new ArgumentException($"{ids.Count} new item ids but {embeddings.Count} embeddings.", nameof(embeddings));
        if (ids.Count == 0) return this;
        int t = ItemText.TextDimension, d = Dimension;
        for (int n = 0; n < ids.Count; n++)
        {
            if (embeddings[n] is not { } e || e.Length != t)
                throw new ArgumentException($"New item '{ids[n]}': its text embedding has {embeddings[n]?.Length ?? 0} values; the model's item text embeddings have {t}.", nameof(embeddings));
            if (Items.IndexOf(ids[n]) >= 0) throw new ArgumentException($"New item '{ids[n]}' is already in the catalogue.", nameof(ids));
        }
        IdVocabulary added;
        if (Items.Kind == IdKind.Int64)
        {
            var parsed = new long[ids.Count];
            for (int n = 0; n < ids.Count; n++)
                if (!long.TryParse(ids[n], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out parsed[n]))
                    throw new ArgumentException($"New item '{ids[n]}' is not an integer id; the model's item ids are integers.", nameof(ids));
            added = IdVocabulary.FromInt64(parsed);
        }
        else added = IdVocabulary.FromStrings(ids);
        if (added.Count != ids.Count) throw new ArgumentException("A new item id is listed twice.", nameof(ids));

        var items = IdVocabulary.Union(Items, added);
        var newRow = new Dictionary<int, int>(ids.Count); // index in the merged vocabulary → position in ids
        for (int n = 0; n < ids.Count; n++) newRow[items.IndexOf(ids[n])] = n;
        var old = IdFactors;
        var factors = new float[items.Count * d];
        var bias = new float[items.Count];
        var text = new float[items.Count * t];
        for (int i = 0; i < items.Count; i++)
        {
            int before = Items.IndexOf(items, i);
            if (before >= 0)
            {
                old.ItemVector(before).CopyTo(factors.AsSpan(i * d, d));
                bias[i] = old.ItemBias[before];
                ItemText.Embeddings.AsSpan(before * t, t).CopyTo(text.AsSpan(i * t, t));
            }
            else
            {
                old.FallbackItemFactor.CopyTo(factors.AsSpan(i * d, d));
                bias[i] = old.FallbackItemBias;
                embeddings[newRow[i]].CopyTo(text.AsSpan(i * t, t));
            }
        }
        return new HybridFactorizationModel(new FactorizationModel(Users, items, d, old.UserFactors, factors, bias),
            new TextProjection(d, t, text, ItemText.Center, ItemText.Weights), UserText);
    }

    /// <summary>The format this library writes; 1 is the only version so far (see <see cref="RecommenderModelFile"/>).</summary>
    internal const int FormatVersion = 1;
    private static readonly byte[] Magic = "MLNAHY"u8.ToArray();

    /// <summary>The first bytes of a saved hybrid model (see <see cref="RecommenderModelFile"/>).</summary>
    internal static byte[] FileMagic => Magic;

    /// <summary>Writes the model in a small versioned binary format (the id factors in <see cref="FactorizationModel.Save"/>'s format, then the text parts).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Flush();
        IdFactors.Save(stream);
        ItemText.WriteTo(w);
        w.Write(UserText is not null);
        UserText?.WriteTo(w);
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a damaged stream gives an <see cref="InvalidDataException"/> naming <paramref name="name"/>.</summary>
    public static HybridFactorizationModel Load(Stream stream, string name = "model")
    {
        return RecommenderModelFile.Read(stream, name, Magic, "hybrid", FormatVersion, (r, version) =>
        {
            var factors = FactorizationModel.Load(stream, name);
            var itemText = TextProjection.ReadFrom(r);
            var userText = r.ReadBoolean() ? TextProjection.ReadFrom(r) : null;
            return new HybridFactorizationModel(factors, itemText, userText);
        });
    }
}
