using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Models;

/// <summary>
/// A trained matrix-factorisation scorer, score(u, i) = p_u · q_i + b_i, as plain arrays: what the trainers
/// produce, the ONNX exporter writes and the evaluators read. Ids outside the vocabularies are scored with the
/// fallback rows (the mean user vector, the mean item vector and mean item bias), in C# and in ONNX alike.
/// </summary>
public sealed class FactorizationModel : IRecommenderModel
{
    /// <summary>Creates a model; array sizes must match the vocabularies and <paramref name="dimension"/>.</summary>
    public FactorizationModel(IdVocabulary users, IdVocabulary items, int dimension, float[] userFactors, float[] itemFactors, float[] itemBias)
    {
        Users = users ?? throw new ArgumentNullException(nameof(users));
        Items = items ?? throw new ArgumentNullException(nameof(items));
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), "The dimension must be positive.");
        if (userFactors.Length != users.Count * dimension) throw new ArgumentException($"Expected {users.Count}×{dimension} user factors, got {userFactors.Length} values.", nameof(userFactors));
        if (itemFactors.Length != items.Count * dimension) throw new ArgumentException($"Expected {items.Count}×{dimension} item factors, got {itemFactors.Length} values.", nameof(itemFactors));
        if (itemBias.Length != items.Count) throw new ArgumentException($"Expected {items.Count} item biases, got {itemBias.Length}.", nameof(itemBias));
        Dimension = dimension;
        UserFactors = userFactors;
        ItemFactors = itemFactors;
        ItemBias = itemBias;
        FallbackUserFactor = RowMean(userFactors, users.Count, dimension);
        FallbackItemFactor = RowMean(itemFactors, items.Count, dimension);
        FallbackItemBias = items.Count == 0 ? 0f : TensorPrimitives.Sum<float>(itemBias) / items.Count;
    }

    /// <summary>User vocabulary: row u of <see cref="UserFactors"/> belongs to user id <c>Users[u]</c>.</summary>
    public IdVocabulary Users { get; }

    /// <summary>Item vocabulary (the catalogue the model ranks).</summary>
    public IdVocabulary Items { get; }

    /// <summary>Embedding size.</summary>
    public int Dimension { get; }

    /// <summary>User embeddings, row-major [users, dimension].</summary>
    public float[] UserFactors { get; }

    /// <summary>Item embeddings, row-major [items, dimension].</summary>
    public float[] ItemFactors { get; }

    /// <summary>Item biases [items].</summary>
    public float[] ItemBias { get; }

    /// <summary>The vector used for a user id the model has never seen: the mean user vector.</summary>
    public float[] FallbackUserFactor { get; }

    /// <summary>The vector used for an item id the model has never seen: the mean item vector.</summary>
    public float[] FallbackItemFactor { get; }

    /// <summary>The bias used for an item id the model has never seen: the mean item bias.</summary>
    public float FallbackItemBias { get; }

    /// <summary>The embedding of user index <paramref name="user"/>, or the fallback for -1.</summary>
    public ReadOnlySpan<float> UserVector(int user) => user < 0 ? FallbackUserFactor : UserFactors.AsSpan(user * Dimension, Dimension);

    /// <summary>The embedding of item index <paramref name="item"/>, or the fallback for -1.</summary>
    public ReadOnlySpan<float> ItemVector(int item) => item < 0 ? FallbackItemFactor : ItemFactors.AsSpan(item * Dimension, Dimension);

    /// <summary>The score of a (user index, item index) pair; -1 means an unknown id and uses the fallback.</summary>
    public float Score(int user, int item) =>
        TensorPrimitives.Dot(UserVector(user), ItemVector(item)) + (item < 0 ? FallbackItemBias : ItemBias[item]);

    /// <summary>The score of a pair of raw ids (unknown ids use the fallbacks).</summary>
    public float Score(long userId, long itemId) => Score(Users.IndexOf(userId), Items.IndexOf(itemId));

    /// <summary>The score of a pair of raw ids (unknown ids use the fallbacks).</summary>
    public float Score(string userId, string itemId) => Score(Users.IndexOf(userId), Items.IndexOf(itemId));

    /// <summary>Scores every item of the catalogue for user index <paramref name="user"/> (-1: the fallback user) into <paramref name="scores"/>.</summary>
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (scores.Length != Items.Count) throw new ArgumentException($"Expected a buffer of {Items.Count} scores.", nameof(scores));
        var p = UserVector(user);
        for (int i = 0; i < scores.Length; i++)
            scores[i] = TensorPrimitives.Dot(p, ItemFactors.AsSpan(i * Dimension, Dimension)) + ItemBias[i];
    }

    private static float[] RowMean(float[] rows, int count, int dimension)
    {
        var mean = new float[dimension];
        if (count == 0) return mean;
        for (int r = 0; r < count; r++) TensorPrimitives.Add(mean, rows.AsSpan(r * dimension, dimension), mean);
        TensorPrimitives.Divide(mean, count, mean);
        return mean;
    }

    /// <summary>The format this library writes; 1 is the only version so far (see <see cref="RecommenderModelFile"/>).</summary>
    internal const int FormatVersion = 1;
    private static readonly byte[] Magic = "MLNAFM"u8.ToArray();

    /// <summary>The first bytes of a saved factorisation model (see <see cref="RecommenderModelFile"/>).</summary>
    internal static byte[] FileMagic => Magic;

    /// <summary>Writes the model in a small versioned binary format.</summary>
    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        Users.WriteTo(w);
        Items.WriteTo(w);
        w.Write(Dimension);
        w.Write(MemoryMarshal.AsBytes(UserFactors.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(ItemFactors.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(ItemBias.AsSpan()));
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a damaged stream gives an <see cref="InvalidDataException"/>.</summary>
    public static FactorizationModel Load(Stream stream, string name = "model")
    {
        return RecommenderModelFile.Read(stream, name, Magic, "factorisation", FormatVersion, (r, version) =>
        {
            var users = IdVocabulary.ReadFrom(r);
            var items = IdVocabulary.ReadFrom(r);
            int d = r.ReadInt32();
            if (d <= 0 || d > 1 << 16) throw new InvalidDataException($"{name} has an invalid dimension {d}.");
            var uf = ReadFloats(r, checked(users.Count * d));
            var itf = ReadFloats(r, checked(items.Count * d));
            var b = ReadFloats(r, items.Count);
            return new FactorizationModel(users, items, d, uf, itf, b);
        });
    }

    private static float[] ReadFloats(BinaryReader r, int count)
    {
        var values = new float[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
