using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Models;

/// <summary>
/// A trained CFGAN generator (Chae et al., CIKM 2018) with the purchase vectors it ranks from. A user's scores are
/// G(c_u): the generator applied to the user's purchase vector c_u (1 for each item in <see cref="Purchases"/>,
/// 0 elsewhere). A user the model has never seen (index -1) gets the all-zero purchase vector; a user with a
/// purchase history the model has never seen is scored from that history with <see cref="ScorePurchaseVector"/>.
/// An item the model has never seen is scored with the fallback output row (the mean of the output layer's rows
/// and biases), as the factorisation models fall back to the mean item vector.
/// </summary>
/// <remarks>
/// The generator has sigmoid hidden layers and a linear last layer, optionally followed by a sigmoid
/// (<see cref="SigmoidOutput"/>). Scores are computed in plain C# (the first layer as a sum over the purchased
/// items' weight columns), and the ONNX exports compute the same function.
/// </remarks>
public sealed class CfganModel : IRecommenderModel
{
    private readonly DenseLayer[] _layers;
    private readonly float[] _inputColumns; // first layer transposed, [items, hidden]: one row per purchased item

    /// <summary>Creates a model; the layers must chain from <c>Items.Count</c> inputs to <c>Items.Count</c> outputs.</summary>
    /// <param name="purchases">Each user's purchase vector (the generator's condition), over the model's vocabularies.</param>
    /// <param name="generatorLayers">The generator's layers, input side first.</param>
    /// <param name="sigmoidOutput">Whether a sigmoid follows the last layer.</param>
    public CfganModel(InteractionData purchases, IReadOnlyList<DenseLayer> generatorLayers, bool sigmoidOutput)
    {
        Purchases = purchases ?? throw new ArgumentNullException(nameof(purchases));
        ArgumentNullException.ThrowIfNull(generatorLayers);
        if (generatorLayers.Count < 2) throw new ArgumentException("The generator needs at least one hidden layer (two dense layers).", nameof(generatorLayers));
        int items = purchases.Items.Count;
        for (int l = 0; l < generatorLayers.Count; l++)
        {
            var layer = generatorLayers[l] ?? throw new ArgumentException($"Layer {l} is null.", nameof(generatorLayers));
            layer.Validate($"layer {l}");
            int expectedInputs = l == 0 ? items : generatorLayers[l - 1].Outputs;
            if (layer.Inputs != expectedInputs) throw new ArgumentException($"Layer {l} has {layer.Inputs} inputs; expected {expectedInputs}.", nameof(generatorLayers));
        }
        if (generatorLayers[^1].Outputs != items) throw new ArgumentException($"The last layer has {generatorLayers[^1].Outputs} outputs; expected one per item ({items}).", nameof(generatorLayers));
        _layers = generatorLayers.ToArray();
        SigmoidOutput = sigmoidOutput;

        var first = _layers[0];
        _inputColumns = new float[first.Weights.Length];
        for (int o = 0; o < first.Outputs; o++)
            for (int i = 0; i < first.Inputs; i++)
                _inputColumns[i * first.Outputs + o] = first.Weights[o * first.Inputs + i];

        var last = _layers[^1];
        FallbackOutputRow = new float[last.Inputs];
        for (int i = 0; i < items; i++) TensorPrimitives.Add(FallbackOutputRow, last.Weights.AsSpan(i * last.Inputs, last.Inputs), FallbackOutputRow);
        TensorPrimitives.Divide(FallbackOutputRow, items, FallbackOutputRow);
        FallbackOutputBias = TensorPrimitives.Sum<float>(last.Bias) / items;
    }

    /// <summary>User vocabulary: user index u has the purchase vector of row u of <see cref="Purchases"/>.</summary>
    public IdVocabulary Users => Purchases.Users;

    /// <summary>Item vocabulary (the catalogue, and the order of the purchase-vector entries).</summary>
    public IdVocabulary Items => Purchases.Items;

    /// <summary>The purchase vectors the model ranks known users from.</summary>
    public InteractionData Purchases { get; }

    /// <summary>The generator's layers, input side first.</summary>
    public IReadOnlyList<DenseLayer> GeneratorLayers => _layers;

    /// <summary>Whether a sigmoid follows the generator's last layer (scores in (0, 1)); otherwise the scores are its linear outputs.</summary>
    public bool SigmoidOutput { get; }

    /// <summary>The output-layer row used for an item the model has never seen: the mean of the item rows.</summary>
    public float[] FallbackOutputRow { get; }

    /// <summary>The output bias used for an item the model has never seen: the mean item bias.</summary>
    public float FallbackOutputBias { get; }

    /// <summary>Scores every catalogue item for user index <paramref name="user"/> (-1: an unknown user, the all-zero purchase vector).</summary>
    /// <remarks>Safe to call concurrently: each call works on its own buffers.</remarks>
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (user < -1 || user >= Users.Count) throw new ArgumentOutOfRangeException(nameof(user), $"User index {user} is outside -1..{Users.Count - 1}.");
        var hidden = HiddenOfPurchases(user < 0 ? ReadOnlySpan<int>.Empty : Purchases.ItemsOf(user), default);
        Output(hidden, scores);
    }

    /// <summary>
    /// Scores every catalogue item for the purchase vector <paramref name="purchases"/> (one entry per item of
    /// <see cref="Items"/>, 1 for a purchase, 0 otherwise): serves a user the model has never seen.
    /// </summary>
    public void ScorePurchaseVector(ReadOnlySpan<float> purchases, Span<float> scores)
    {
        if (purchases.Length != Items.Count) throw new ArgumentException($"Expected a purchase vector of {Items.Count} entries.", nameof(purchases));
        Output(HiddenOfPurchases(default, purchases), scores);
    }

    /// <summary>The purchase vector of a list of raw item ids (ids outside the catalogue are ignored).</summary>
    public float[] PurchaseVector(IEnumerable<long> itemIds)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        var vector = new float[Items.Count];
        foreach (var id in itemIds) if (Items.IndexOf(id) is >= 0 and var i) vector[i] = 1;
        return vector;
    }

    /// <summary>The purchase vector of a list of raw item ids (ids outside the catalogue are ignored).</summary>
    public float[] PurchaseVector(IEnumerable<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        var vector = new float[Items.Count];
        foreach (var id in itemIds) if (Items.IndexOf(id) is >= 0 and var i) vector[i] = 1;
        return vector;
    }

    /// <summary>The score of a (user index, item index) pair; -1 means an unknown id (all-zero purchases, fallback output row).</summary>
    public float Score(int user, int item)
    {
        if (user < -1 || user >= Users.Count) throw new ArgumentOutOfRangeException(nameof(user), $"User index {user} is outside -1..{Users.Count - 1}.");
        if (item < -1 || item >= Items.Count) throw new ArgumentOutOfRangeException(nameof(item), $"Item index {item} is outside -1..{Items.Count - 1}.");
        var hidden = HiddenOfPurchases(user < 0 ? ReadOnlySpan<int>.Empty : Purchases.ItemsOf(user), default);
        var last = _layers[^1];
        float z = item < 0
            ? TensorPrimitives.Dot(hidden, FallbackOutputRow) + FallbackOutputBias
            : TensorPrimitives.Dot(hidden, last.Weights.AsSpan(item * last.Inputs, last.Inputs)) + last.Bias[item];
        return SigmoidOutput ? Sigmoid(z) : z;
    }

    /// <summary>The score of a pair of raw ids (unknown ids as in <see cref="Score(int, int)"/>).</summary>
    public float Score(long userId, long itemId) => Score(Users.IndexOf(userId), Items.IndexOf(itemId));

    /// <summary>The score of a pair of raw ids (unknown ids as in <see cref="Score(int, int)"/>).</summary>
    public float Score(string userId, string itemId) => Score(Users.IndexOf(userId), Items.IndexOf(itemId));

    /// <summary>
    /// The last hidden layer's activations for a purchase vector given as sorted item indices or, when
    /// <paramref name="dense"/> is not empty, as a dense vector.
    /// </summary>
    private float[] HiddenOfPurchases(ReadOnlySpan<int> items, ReadOnlySpan<float> dense)
    {
        var first = _layers[0];
        int width = first.Outputs;
        var h = first.Bias.ToArray();
        // The first layer on a sparse 0/1 vector: a sum of the purchased items' weight columns.
        foreach (var i in items) TensorPrimitives.Add(h, _inputColumns.AsSpan(i * width, width), h);
        for (int i = 0; i < dense.Length; i++)
            if (dense[i] != 0) TensorPrimitives.MultiplyAdd(_inputColumns.AsSpan(i * width, width), dense[i], h, h);
        TensorPrimitives.Sigmoid(h, h);
        for (int l = 1; l < _layers.Length - 1; l++)
        {
            var layer = _layers[l];
            var next = new float[layer.Outputs];
            for (int o = 0; o < next.Length; o++)
                next[o] = TensorPrimitives.Dot(h, layer.Weights.AsSpan(o * layer.Inputs, layer.Inputs)) + layer.Bias[o];
            TensorPrimitives.Sigmoid(next, next);
            h = next;
        }
        return h;
    }

    private void Output(ReadOnlySpan<float> hidden, Span<float> scores)
    {
        if (scores.Length != Items.Count) throw new ArgumentException($"Expected a buffer of {Items.Count} scores.", nameof(scores));
        var last = _layers[^1];
        for (int i = 0; i < scores.Length; i++)
            scores[i] = TensorPrimitives.Dot(hidden, last.Weights.AsSpan(i * last.Inputs, last.Inputs)) + last.Bias[i];
        if (SigmoidOutput) TensorPrimitives.Sigmoid(scores, scores);
    }

    private static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    /// <summary>
    /// The same generator ranking from other purchase vectors (e.g. all the training positives, when the model was
    /// trained on a part of them): <paramref name="purchases"/> must use the model's vocabularies.
    /// </summary>
    public CfganModel WithPurchases(InteractionData purchases)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        if (!purchases.Users.Equals(Users) || !purchases.Items.Equals(Items))
            throw new ArgumentException("The purchases must use the model's user and item vocabularies.", nameof(purchases));
        return new CfganModel(purchases, _layers, SigmoidOutput);
    }

    /// <summary>The pairwise scorer, with the purchase vectors inside the graph (see <see cref="Onnx.CfganOnnxExporter.ExportPairwiseScorer"/>).</summary>
    public byte[] ExportPairwiseScorer(Onnx.OnnxExportOptions options) => Onnx.CfganOnnxExporter.ExportPairwiseScorer(this, options);

    /// <summary>The top-K recommender, with the purchase vectors inside the graph (see <see cref="Onnx.CfganOnnxExporter.ExportTopK"/>).</summary>
    public byte[] ExportTopK(Onnx.TopKExportOptions options) => Onnx.CfganOnnxExporter.ExportTopK(this, options);

    /// <summary>The graph that takes a purchase vector instead of a user id, for unseen users (see <see cref="Onnx.CfganOnnxExporter.ExportPurchaseVectorScorer"/>).</summary>
    public byte[] ExportPurchaseVectorScorer(Onnx.TopKExportOptions options) => Onnx.CfganOnnxExporter.ExportPurchaseVectorScorer(this, options);

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "MLNACG"u8.ToArray();

    /// <summary>The first bytes of a saved CFGAN model (see <see cref="RecommenderModelFile"/>).</summary>
    internal static byte[] FileMagic => Magic;

    /// <summary>Writes the model in a small versioned binary format.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        Users.WriteTo(w);
        Items.WriteTo(w);
        w.Write(Purchases.Count);
        w.Write(MemoryMarshal.AsBytes(Purchases.Offsets));
        w.Write(MemoryMarshal.AsBytes(Purchases.ItemIndices));
        w.Write(SigmoidOutput);
        w.Write(_layers.Length);
        foreach (var layer in _layers)
        {
            w.Write(layer.Inputs);
            w.Write(layer.Outputs);
            w.Write(MemoryMarshal.AsBytes(layer.Weights.AsSpan()));
            w.Write(MemoryMarshal.AsBytes(layer.Bias.AsSpan()));
        }
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a damaged stream gives an <see cref="InvalidDataException"/> naming <paramref name="name"/>.</summary>
    public static CfganModel Load(Stream stream, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"{name} is not a CFGAN model file.");
            int version = r.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"{name} has format version {version}; this library reads version {FormatVersion}.");
            var users = IdVocabulary.ReadFrom(r);
            var items = IdVocabulary.ReadFrom(r);
            int count = r.ReadInt32();
            if (count < 0) throw new InvalidDataException($"{name} has a negative purchase count.");
            var offsets = ReadArray<int>(r, checked(users.Count + 1));
            var itemIndices = ReadArray<int>(r, count);
            var userIndices = new int[count];
            for (int u = 0; u < users.Count; u++)
            {
                if (offsets[u] < 0 || offsets[u + 1] < offsets[u] || offsets[u + 1] > count) throw new InvalidDataException($"{name} has invalid purchase offsets.");
                userIndices.AsSpan(offsets[u], offsets[u + 1] - offsets[u]).Fill(u);
            }
            var purchases = InteractionData.FromIndices(users, items, userIndices, itemIndices);
            bool sigmoid = r.ReadBoolean();
            int layerCount = r.ReadInt32();
            if (layerCount is < 2 or > 64) throw new InvalidDataException($"{name} has an invalid layer count {layerCount}.");
            var layers = new DenseLayer[layerCount];
            for (int l = 0; l < layerCount; l++)
            {
                int inputs = r.ReadInt32(), outputs = r.ReadInt32();
                if (inputs <= 0 || outputs <= 0 || inputs > 1 << 24 || outputs > 1 << 24) throw new InvalidDataException($"{name}: layer {l} has invalid widths {inputs}→{outputs}.");
                layers[l] = new DenseLayer(inputs, outputs, ReadArray<float>(r, checked(inputs * outputs)), ReadArray<float>(r, outputs));
            }
            return new CfganModel(purchases, layers, sigmoid);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{name} is truncated.", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name} is truncated or corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{name} is corrupt: {e.Message}", e);
        }
    }

    private static T[] ReadArray<T>(BinaryReader r, int count) where T : unmanaged
    {
        var values = new T[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
