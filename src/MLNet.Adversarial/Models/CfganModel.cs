using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Models;

/// <summary>
/// A trained CFGAN generator (Chae et al., CIKM 2018) with the purchase vectors it ranks from.
/// <list type="bullet">
/// <item><see cref="CfganOrientation.UserBased"/>: a user's scores are G(c_u), the generator applied to the user's
/// purchase vector over the items. An unknown user (index -1) gets the all-zero purchase vector; a user with a history
/// the model has never seen is scored from it with <see cref="ScorePurchaseVector"/>. An unknown item is scored with
/// the fallback output row (the mean of the output layer's item rows and biases).</item>
/// <item><see cref="CfganOrientation.ItemBased"/>: item i's scores for every user are G(c_i), the generator applied to
/// the item's purchase vector over the users; the score of (u, i) is entry u. An unknown item gets the all-zero
/// purchase vector; an unknown user the fallback output row (the mean of the user rows).</item>
/// </list>
/// </summary>
/// <remarks>
/// The generator has sigmoid hidden layers and a linear last layer, optionally followed by a sigmoid
/// (<see cref="SigmoidOutput"/>). Scores are computed in plain C# (the first layer as a sum over the purchased
/// entries' weight columns), and the ONNX exports compute the same function. Below, a "row" is what the generator
/// maps (a user, or an item when item-based) and a "column" an entry of its vectors.
/// </remarks>
public sealed class CfganModel : IRecommenderModel
{
    private readonly DenseLayer[] _layers;
    private readonly float[] _inputColumns;  // first layer transposed, [columns, hidden]: one row per purchased entry
    private readonly float[]? _itemHidden;   // item-based: the last hidden layer of every item, [items, hidden]
    private readonly float[] _emptyHidden;   // the last hidden layer of the all-zero purchase vector

    /// <summary>Creates a model; the layers must chain from one input per column to one output per column.</summary>
    /// <param name="purchases">The training positives (the generator's conditions), over the model's vocabularies.</param>
    /// <param name="generatorLayers">The generator's layers, input side first.</param>
    /// <param name="sigmoidOutput">Whether a sigmoid follows the last layer.</param>
    /// <param name="orientation">Whether the generator maps users' or items' purchase vectors.</param>
    public CfganModel(InteractionData purchases, IReadOnlyList<DenseLayer> generatorLayers, bool sigmoidOutput,
        CfganOrientation orientation = CfganOrientation.UserBased)
    {
        Purchases = purchases ?? throw new ArgumentNullException(nameof(purchases));
        ArgumentNullException.ThrowIfNull(generatorLayers);
        if (!Enum.IsDefined(orientation)) throw new ArgumentOutOfRangeException(nameof(orientation));
        if (generatorLayers.Count < 2) throw new ArgumentException("The generator needs at least one hidden layer (two dense layers).", nameof(generatorLayers));
        Orientation = orientation;
        Rows = orientation == CfganOrientation.UserBased ? purchases : purchases.Transposed();
        int columns = Rows.Items.Count;
        string columnName = orientation == CfganOrientation.UserBased ? "item" : "user";
        for (int l = 0; l < generatorLayers.Count; l++)
        {
            var layer = generatorLayers[l] ?? throw new ArgumentException($"Layer {l} is null.", nameof(generatorLayers));
            layer.Validate($"layer {l}");
            int expectedInputs = l == 0 ? columns : generatorLayers[l - 1].Outputs;
            if (layer.Inputs != expectedInputs) throw new ArgumentException($"Layer {l} has {layer.Inputs} inputs; expected {expectedInputs}.", nameof(generatorLayers));
        }
        if (generatorLayers[^1].Outputs != columns)
            throw new ArgumentException($"The last layer has {generatorLayers[^1].Outputs} outputs; expected one per {columnName} ({columns}).", nameof(generatorLayers));
        _layers = generatorLayers.ToArray();
        SigmoidOutput = sigmoidOutput;

        var first = _layers[0];
        _inputColumns = new float[first.Weights.Length];
        for (int o = 0; o < first.Outputs; o++)
            for (int i = 0; i < first.Inputs; i++)
                _inputColumns[i * first.Outputs + o] = first.Weights[o * first.Inputs + i];

        var last = _layers[^1];
        FallbackOutputRow = new float[last.Inputs];
        for (int c = 0; c < columns; c++) TensorPrimitives.Add(FallbackOutputRow, last.Weights.AsSpan(c * last.Inputs, last.Inputs), FallbackOutputRow);
        TensorPrimitives.Divide(FallbackOutputRow, columns, FallbackOutputRow);
        FallbackOutputBias = TensorPrimitives.Sum<float>(last.Bias) / columns;

        _emptyHidden = Hidden(ReadOnlySpan<int>.Empty, default);
        if (orientation == CfganOrientation.ItemBased)
        {
            _itemHidden = new float[Rows.Users.Count * last.Inputs];
            for (int i = 0; i < Rows.Users.Count; i++) Hidden(Rows.ItemsOf(i), default).CopyTo(_itemHidden, i * last.Inputs);
        }
    }

    /// <summary>User vocabulary.</summary>
    public IdVocabulary Users => Purchases.Users;

    /// <summary>Item vocabulary (the catalogue; with <see cref="CfganOrientation.UserBased"/>, the order of the purchase-vector entries).</summary>
    public IdVocabulary Items => Purchases.Items;

    /// <summary>The training positives the model ranks from (each user's purchase vector, or each item's when item-based).</summary>
    public InteractionData Purchases { get; }

    /// <summary>Whether the generator maps users' or items' purchase vectors.</summary>
    public CfganOrientation Orientation { get; }

    /// <summary>The purchase vectors the generator maps: <see cref="Purchases"/>, or their transpose when item-based.</summary>
    internal InteractionData Rows { get; }

    /// <summary>The generator's layers, input side first.</summary>
    public IReadOnlyList<DenseLayer> GeneratorLayers => _layers;

    /// <summary>Whether a sigmoid follows the generator's last layer (scores in (0, 1)); otherwise the scores are its linear outputs.</summary>
    public bool SigmoidOutput { get; }

    /// <summary>
    /// The output-layer row used for a column the model has never seen (an unknown item when user-based, an unknown
    /// user when item-based): the mean of the output layer's rows.
    /// </summary>
    public float[] FallbackOutputRow { get; }

    /// <summary>The output bias that goes with <see cref="FallbackOutputRow"/>: the mean bias.</summary>
    public float FallbackOutputBias { get; }

    /// <summary>Scores every catalogue item for user index <paramref name="user"/> (-1: an unknown user).</summary>
    /// <remarks>Safe to call concurrently: each call works on its own buffers.</remarks>
    public void ScoreAllItems(int user, Span<float> scores)
    {
        CheckUser(user);
        if (scores.Length != Items.Count) throw new ArgumentException($"Expected a buffer of {Items.Count} scores.", nameof(scores));
        if (Orientation == CfganOrientation.UserBased)
        {
            Output(user < 0 ? _emptyHidden : Hidden(Purchases.ItemsOf(user), default), scores);
            return;
        }
        var (row, bias) = OutputRow(user);
        for (int i = 0; i < scores.Length; i++) scores[i] = Activate(TensorPrimitives.Dot(ItemHidden(i), row.Span) + bias);
    }

    /// <summary>
    /// User-based models: scores every catalogue item for the purchase vector <paramref name="purchases"/> (one entry
    /// per item of <see cref="Items"/>, 1 for a purchase, 0 otherwise), which serves a user the model has never seen.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is item-based: its inputs are items' vectors over the known users.</exception>
    public void ScorePurchaseVector(ReadOnlySpan<float> purchases, Span<float> scores)
    {
        RequireUserBased();
        if (purchases.Length != Items.Count) throw new ArgumentException($"Expected a purchase vector of {Items.Count} entries.", nameof(purchases));
        if (scores.Length != Items.Count) throw new ArgumentException($"Expected a buffer of {Items.Count} scores.", nameof(scores));
        Output(Hidden(default, purchases), scores);
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

    /// <summary>The score of a (user index, item index) pair; -1 means an unknown id (see the class remarks).</summary>
    public float Score(int user, int item)
    {
        CheckUser(user);
        if (item < -1 || item >= Items.Count) throw new ArgumentOutOfRangeException(nameof(item), $"Item index {item} is outside -1..{Items.Count - 1}.");
        var (row, column) = Orientation == CfganOrientation.UserBased ? (user, item) : (item, user);
        ReadOnlySpan<float> hidden = row < 0 ? _emptyHidden
            : Orientation == CfganOrientation.UserBased ? Hidden(Rows.ItemsOf(row), default) : ItemHidden(row);
        var (weights, bias) = OutputRow(column);
        return Activate(TensorPrimitives.Dot(hidden, weights.Span) + bias);
    }

    /// <summary>The score of a pair of raw ids (unknown ids as in <see cref="Score(int, int)"/>).</summary>
    public float Score(long userId, long itemId) => Score(Users.IndexOf(userId), Items.IndexOf(itemId));

    /// <summary>The score of a pair of raw ids (unknown ids as in <see cref="Score(int, int)"/>).</summary>
    public float Score(string userId, string itemId) => Score(Users.IndexOf(userId), Items.IndexOf(itemId));

    /// <summary>
    /// The same generator ranking from other purchase vectors (e.g. all the training positives, when the model was
    /// trained on a part of them): <paramref name="purchases"/> must use the model's vocabularies.
    /// </summary>
    public CfganModel WithPurchases(InteractionData purchases)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        if (!purchases.Users.Equals(Users) || !purchases.Items.Equals(Items))
            throw new ArgumentException("The purchases must use the model's user and item vocabularies.", nameof(purchases));
        return new CfganModel(purchases, _layers, SigmoidOutput, Orientation);
    }

    /// <summary>Throws unless the model is user-based (what scoring a purchase vector needs).</summary>
    internal void RequireUserBased()
    {
        if (Orientation != CfganOrientation.UserBased)
            throw new InvalidOperationException("Scoring a purchase vector needs a user-based CFGAN: an item-based generator's inputs are items' vectors over the users it was trained on.");
    }

    private void CheckUser(int user)
    {
        if (user < -1 || user >= Users.Count) throw new ArgumentOutOfRangeException(nameof(user), $"User index {user} is outside -1..{Users.Count - 1}.");
    }

    /// <summary>The output layer's row and bias of column <paramref name="column"/>, or the fallback for -1.</summary>
    private (ReadOnlyMemory<float> Row, float Bias) OutputRow(int column)
    {
        var last = _layers[^1];
        return column < 0 ? (FallbackOutputRow, FallbackOutputBias) : (last.Weights.AsMemory(column * last.Inputs, last.Inputs), last.Bias[column]);
    }

    /// <summary>Item-based models: item <paramref name="item"/>'s last hidden layer, computed once at construction.</summary>
    private ReadOnlySpan<float> ItemHidden(int item) => _itemHidden.AsSpan(item * _emptyHidden.Length, _emptyHidden.Length);

    /// <summary>
    /// The last hidden layer's activations for a purchase vector given as sorted column indices or, when
    /// <paramref name="dense"/> is not empty, as a dense vector.
    /// </summary>
    private float[] Hidden(ReadOnlySpan<int> columns, ReadOnlySpan<float> dense)
    {
        var first = _layers[0];
        int width = first.Outputs;
        var h = first.Bias.ToArray();
        // The first layer on a sparse 0/1 vector: a sum of the purchased entries' weight columns.
        foreach (var c in columns) TensorPrimitives.Add(h, _inputColumns.AsSpan(c * width, width), h);
        for (int c = 0; c < dense.Length; c++)
            if (dense[c] != 0) TensorPrimitives.MultiplyAdd(_inputColumns.AsSpan(c * width, width), dense[c], h, h);
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

    /// <summary>G's output for every column from the last hidden layer.</summary>
    private void Output(ReadOnlySpan<float> hidden, Span<float> scores)
    {
        var last = _layers[^1];
        for (int c = 0; c < scores.Length; c++)
            scores[c] = TensorPrimitives.Dot(hidden, last.Weights.AsSpan(c * last.Inputs, last.Inputs)) + last.Bias[c];
        if (SigmoidOutput) TensorPrimitives.Sigmoid(scores, scores);
    }

    private float Activate(float z) => SigmoidOutput ? 1f / (1f + MathF.Exp(-z)) : z;

    /// <summary>
    /// The CFGAN format this library writes. 1: the first CFGAN models (user-based only, no orientation byte); later
    /// version-1 files carry the orientation byte after the purchases, told apart on reading (<see cref="ReadOrientation"/>).
    /// 2: the orientation byte always present. Every version is still read.
    /// </summary>
    internal const int FormatVersion = 2;
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
        w.Write((byte)Orientation);
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

    /// <summary>
    /// Reads the orientation byte, the sigmoid flag and the layer count that follow the purchases. Version-1 files exist
    /// with and without the orientation byte; without it the flag (0 or 1) is followed by the layer count, whose low byte
    /// is at least 2, while with it the second byte is the flag (0 or 1), so the second byte tells the layouts apart.
    /// </summary>
    private static (CfganOrientation Orientation, bool Sigmoid, int LayerCount) ReadOrientation(BinaryReader r, int version, string name)
    {
        byte first = r.ReadByte(), second = r.ReadByte();
        if (version == 1 && second > 1)
            return (CfganOrientation.UserBased, first != 0, second | r.ReadByte() << 8 | r.ReadByte() << 16 | r.ReadByte() << 24);
        var orientation = (CfganOrientation)first;
        if (!Enum.IsDefined(orientation)) throw new InvalidDataException($"{name} has an unknown orientation {first}.");
        return (orientation, second != 0, r.ReadInt32());
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a damaged stream gives an <see cref="InvalidDataException"/> naming <paramref name="name"/>.</summary>
    public static CfganModel Load(Stream stream, string name = "model")
    {
        return RecommenderModelFile.Read(stream, name, Magic, "CFGAN", FormatVersion, (r, version) =>
        {
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
            var (orientation, sigmoid, layerCount) = ReadOrientation(r, version, name);
            if (layerCount is < 2 or > 64) throw new InvalidDataException($"{name} has an invalid layer count {layerCount}.");
            var layers = new DenseLayer[layerCount];
            for (int l = 0; l < layerCount; l++)
            {
                int inputs = r.ReadInt32(), outputs = r.ReadInt32();
                if (inputs <= 0 || outputs <= 0 || inputs > 1 << 24 || outputs > 1 << 24) throw new InvalidDataException($"{name}: layer {l} has invalid widths {inputs}→{outputs}.");
                layers[l] = new DenseLayer(inputs, outputs, ReadArray<float>(r, checked(inputs * outputs)), ReadArray<float>(r, outputs));
            }
            return new CfganModel(purchases, layers, sigmoid, orientation);
        });
    }

    private static T[] ReadArray<T>(BinaryReader r, int count) where T : unmanaged
    {
        var values = new T[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
