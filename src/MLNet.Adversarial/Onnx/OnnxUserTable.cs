using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNet.Adversarial.Data;
using Onnx;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// The user vectors inside a file written by <see cref="FactorizationOnnxExporter"/> (pairwise scorer or top-K), read
/// without running it: the <c>user_factors</c> initializer [users + 1, d] minus its trailing fallback row, with the raw
/// user ids taken from the <c>ai.onnx.ml.LabelEncoder</c> that maps the <c>user</c> input to rows. This is what
/// anyone holding a shipped model can read, so it is what a privacy audit must look at
/// (<c>Evaluation.PrivacyEvaluator</c>).
/// </summary>
public sealed class OnnxUserTable
{
    private OnnxUserTable(IdVocabulary users, float[] factors, int dimension)
    {
        Users = users;
        Factors = factors;
        Dimension = dimension;
    }

    /// <summary>The raw user ids; row u of <see cref="Factors"/> belongs to <c>Users[u]</c>.</summary>
    public IdVocabulary Users { get; }

    /// <summary>User vectors, row-major [users, dimension] (the fallback row left out).</summary>
    public float[] Factors { get; }

    /// <summary>Embedding size.</summary>
    public int Dimension { get; }

    /// <summary>Reads the user table of the exported model at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an exported factorisation model; the message names it.</exception>
    public static OnnxUserTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return Read(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>Reads the user table of an exported model; <paramref name="name"/> is used in error messages.</summary>
    public static OnnxUserTable Read(byte[] bytes, string name = "ONNX model")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"'{name}' is not a valid ONNX model ({e.Message}).", e); }
        var graph = model.Graph ?? throw new InvalidDataException($"'{name}' has no graph.");

        var table = graph.Initializer.FirstOrDefault(t => t.Name == OnnxContract.UserFactorsInitializer)
            ?? throw new InvalidDataException($"'{name}' has no '{OnnxContract.UserFactorsInitializer}' initializer; is it a model exported by MLNet.Adversarial?");
        if (table.Dims.Count != 2 || table.DataType != (int)TensorProto.Types.DataType.Float || table.Dims[0] < 1)
            throw new InvalidDataException($"'{name}': '{OnnxContract.UserFactorsInitializer}' is not a float matrix.");
        int rows = checked((int)table.Dims[0]), d = checked((int)table.Dims[1]);
        float[] all = table.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(table.RawData.Span).ToArray()
            : table.FloatData.ToArray();
        if (all.Length != (long)rows * d) throw new InvalidDataException($"'{name}': '{OnnxContract.UserFactorsInitializer}' holds {all.Length} values, not {rows}×{d}.");

        // The LabelEncoder fed by the 'user' input (through its Reshape to [N]).
        var flattened = graph.Node.Where(n => n.Input.Count > 0 && n.Input[0] == OnnxContract.UserInput).SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        flattened.Add(OnnxContract.UserInput);
        var encoder = graph.Node.FirstOrDefault(n => n.OpType == "LabelEncoder" && n.Input.Count == 1 && flattened.Contains(n.Input[0]))
            ?? throw new InvalidDataException($"'{name}' has no LabelEncoder on its '{OnnxContract.UserInput}' input.");
        var values = encoder.Attribute.FirstOrDefault(a => a.Name == "values_int64s")?.Ints.ToArray()
            ?? throw new InvalidDataException($"'{name}': the user LabelEncoder has no values_int64s.");
        var intKeys = encoder.Attribute.FirstOrDefault(a => a.Name == "keys_int64s")?.Ints.ToArray();
        var stringKeys = encoder.Attribute.FirstOrDefault(a => a.Name == "keys_strings")?.Strings.Select(s => s.ToStringUtf8()).ToArray();
        int keyCount = intKeys?.Length ?? stringKeys?.Length ?? throw new InvalidDataException($"'{name}': the user LabelEncoder has no keys.");
        if (keyCount != values.Length) throw new InvalidDataException($"'{name}': the user LabelEncoder has {keyCount} keys but {values.Length} values.");
        if (keyCount != rows - 1)
            throw new InvalidDataException($"'{name}': {keyCount} user ids but {rows} rows in '{OnnxContract.UserFactorsInitializer}' (expected the ids plus one fallback row).");

        var users = intKeys is not null ? IdVocabulary.FromInt64(intKeys) : IdVocabulary.FromStrings(stringKeys!);
        if (users.Count != keyCount) throw new InvalidDataException($"'{name}': the user LabelEncoder lists an id twice.");
        var factors = new float[keyCount * d];
        for (int k = 0; k < keyCount; k++)
        {
            long row = values[k];
            if (row < 0 || row >= rows - 1) throw new InvalidDataException($"'{name}': user id {k} maps to row {row}, outside the {rows - 1} user rows.");
            int index = intKeys is not null ? users.IndexOf(intKeys[k]) : users.IndexOf(stringKeys![k]);
            all.AsSpan(checked((int)row * d), d).CopyTo(factors.AsSpan(index * d, d));
        }
        return new OnnxUserTable(users, factors, d);
    }
}
