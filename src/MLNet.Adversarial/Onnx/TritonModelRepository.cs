using System.Globalization;
using System.Text;
using Google.Protobuf;
using MLNet.Adversarial.Data;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// Writes exported graphs as a Triton Inference Server model repository for the ONNX Runtime backend:
/// <c>REPOSITORY/&lt;name&gt;/config.pbtxt</c> and <c>REPOSITORY/&lt;name&gt;/1/model.onnx</c>, one folder per graph.
/// The configuration is read off the graph itself: every input and output with its name, data type and dims, the
/// leading symbolic dimension (<see cref="OnnxContract.BatchDimension"/>) being Triton's batch dimension, plus
/// dynamic batching. See docs/distributed.md.
/// </summary>
/// <remarks>
/// With <c>max_batch_size</c> &gt; 0 Triton's <c>dims</c> leave the batch dimension out (it is shown as -1 in the
/// model's metadata); a tensor that is only the batch (<c>[N]</c>: the ids, the pairwise score) is declared
/// <c>dims: [ 1 ]</c> with <c>reshape: { shape: [ ] }</c>, Triton's form for a batch of scalars. A graph whose inputs
/// declare no shape (<see cref="OnnxIdInputShape.AnyRank"/>) cannot be batched and is refused.
/// </remarks>
public static class TritonModelRepository
{
    /// <summary>The <c>max_batch_size</c> written by default: the most requests Triton merges into one run.</summary>
    public const int DefaultMaxBatchSize = 256;

    /// <summary>The <c>platform</c> of ONNX models in Triton (the ONNX Runtime backend).</summary>
    public const string Platform = "onnxruntime_onnx";

    /// <summary>
    /// Writes <paramref name="onnx"/> as model <paramref name="name"/> of the repository at <paramref name="repository"/>
    /// (both files atomically) and returns the model's folder.
    /// </summary>
    /// <exception cref="InvalidDataException">The graph is not valid ONNX or has a tensor without a leading batch dimension.</exception>
    public static string WriteModel(string repository, string name, byte[] onnx, int maxBatchSize = DefaultMaxBatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        var config = ModelConfig(name, onnx, maxBatchSize);
        var folder = Path.Combine(repository, name);
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        AtomicFile.WriteAllBytes(Path.Combine(folder, "1", "model.onnx"), onnx);
        AtomicFile.WriteAllBytes(Path.Combine(folder, "config.pbtxt"), Encoding.UTF8.GetBytes(config));
        return folder;
    }

    /// <summary>The <c>config.pbtxt</c> text of model <paramref name="name"/> served from <paramref name="onnx"/>.</summary>
    /// <exception cref="InvalidDataException">The graph is not valid ONNX or has a tensor without a leading batch dimension.</exception>
    public static string ModelConfig(string name, byte[] onnx, int maxBatchSize = DefaultMaxBatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(onnx);
        if (maxBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxBatchSize), $"max_batch_size must be positive, got {maxBatchSize}.");
        GraphProto graph;
        try { graph = ModelProto.Parser.ParseFrom(onnx).Graph ?? throw new InvalidDataException($"Model '{name}' has no graph."); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"Model '{name}' is not a valid ONNX model ({e.Message}).", e); }
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"name: \"{name}\"\n");
        text.Append(CultureInfo.InvariantCulture, $"platform: \"{Platform}\"\n");
        text.Append(CultureInfo.InvariantCulture, $"max_batch_size: {maxBatchSize}\n");
        Tensors(text, "input", graph.Input.Where(i => !initializers.Contains(i.Name)), name);
        Tensors(text, "output", graph.Output, name);
        text.Append("dynamic_batching {\n  max_queue_delay_microseconds: 100\n}\n");
        return text.ToString();
    }

    /// <summary>The Triton data type of an ONNX element type (the ones the exported graphs use).</summary>
    public static string DataTypeName(int elementType) => (DataType)elementType switch
    {
        DataType.Int64 => "TYPE_INT64",
        DataType.String => "TYPE_STRING",
        DataType.Float => "TYPE_FP32",
        DataType.Int32 => "TYPE_INT32",
        DataType.Bool => "TYPE_BOOL",
        var other => throw new InvalidDataException($"ONNX element type {other} has no Triton data type here."),
    };

    private static void Tensors(StringBuilder text, string section, IEnumerable<ValueInfoProto> tensors, string model)
    {
        var entries = tensors.Select(t => Tensor(t, model)).ToList();
        text.Append(section).Append(" [\n").Append(string.Join(",\n", entries)).Append("\n]\n");
    }

    private static string Tensor(ValueInfoProto value, string model)
    {
        var type = value.Type?.TensorType ?? throw new InvalidDataException($"Model '{model}': '{value.Name}' is not a tensor.");
        var dims = type.Shape?.Dim;
        if (dims is null || dims.Count == 0 || dims[0].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam)
            throw new InvalidDataException($"Model '{model}': '{value.Name}' has no leading batch dimension, so Triton cannot batch it; export with IdInputShape = Batch (the default).");
        var inner = dims.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L).ToList();
        var entry = new StringBuilder();
        entry.Append("  {\n");
        entry.Append(CultureInfo.InvariantCulture, $"    name: \"{value.Name}\"\n");
        entry.Append(CultureInfo.InvariantCulture, $"    data_type: {DataTypeName(type.ElemType)}\n");
        if (inner.Count == 0) entry.Append("    dims: [ 1 ]\n    reshape: { shape: [ ] }\n");
        else entry.Append(CultureInfo.InvariantCulture, $"    dims: [ {string.Join(", ", inner)} ]\n");
        entry.Append("  }");
        return entry.ToString();
    }
}
