using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// A thin, deterministic writer of ONNX graphs over OnnxSharp's protobuf classes: initializers, nodes, typed
/// inputs and outputs and <c>metadata_props</c>. Node names are numbered in the order the nodes are added, and
/// nothing time- or machine-dependent is written, so the same calls always give byte-identical models.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The default-domain opset the graphs target.</summary>
    public const long Opset = 17;

    /// <summary>The <c>ai.onnx.ml</c> opset paired with <see cref="Opset"/> (ONNX 1.12).</summary>
    public const long MlOpset = 3;

    /// <summary>The <c>ai.onnx.ml</c> domain name.</summary>
    public const string MlDomain = "ai.onnx.ml";

    private const long IrVersion = 8; // the IR version of ONNX 1.12, which introduced opset 17

    private readonly GraphProto _graph;
    private readonly string _nodePrefix;
    private readonly List<(string Key, string Value)> _metadata = [];
    private bool _usesMlDomain;

    /// <summary>Starts an empty graph called <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name) : this(new GraphProto { Name = name }, nodePrefix: "")
    {
    }

    /// <summary>
    /// Adds to an existing <paramref name="graph"/> (e.g. a pretrained encoder's), naming new nodes with
    /// <paramref name="nodePrefix"/> so they cannot clash with the graph's own. Use the graph's model, not <see cref="Build"/>.
    /// </summary>
    public OnnxGraphBuilder(GraphProto graph, string nodePrefix)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this exporter writes it from memory as is.");
        _graph = graph;
        _nodePrefix = nodePrefix;
    }

    /// <summary>Adds a float initializer of shape <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Float, dims, values.Length, raw: MemoryMarshal.AsBytes(values));

    /// <summary>Adds an int64 initializer of shape <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Int64, dims, values.Length, raw: MemoryMarshal.AsBytes(values));

    /// <summary>Adds a bool initializer of shape <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<bool> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Bool, dims, values.Length, raw: MemoryMarshal.AsBytes(values));

    /// <summary>Adds a string (UTF-8) initializer of shape <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<string> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.String, dims, values.Length, strings: values);

    /// <summary>Whether an initializer called <paramref name="name"/> was added.</summary>
    public bool HasInitializer(string name) => _graph.Initializer.Any(t => t.Name == name);

    private string AddInitializer(string name, TensorProto.Types.DataType type, long[] dims, int count,
        ReadOnlySpan<byte> raw = default, ReadOnlySpan<string> strings = default)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count) throw new ArgumentException($"Initializer '{name}' has {count} values but shape [{string.Join(", ", dims)}].");
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        if (type == TensorProto.Types.DataType.String)
            foreach (var s in strings) tensor.StringData.Add(ByteString.CopyFromUtf8(s));
        else
            tensor.RawData = ByteString.CopyFrom(raw);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node with one output called <paramref name="output"/> and returns that name.</summary>
    public string Node(string opType, string[] inputs, string output, params AttributeProto[] attributes) =>
        Node(opType, "", inputs, [output], attributes)[0];

    /// <summary>Adds a node of <paramref name="domain"/> ("" for the default one) and returns its output names.</summary>
    public string[] Node(string opType, string domain, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Domain = domain, Name = $"{_nodePrefix}{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        _usesMlDomain |= domain == MlDomain;
        return outputs;
    }

    /// <summary>
    /// Declares a graph input. <paramref name="dims"/> holds fixed sizes (long) or symbolic names (string);
    /// null leaves the rank unspecified, so a runtime accepts a tensor of any shape.
    /// </summary>
    public void Input(string name, TensorProto.Types.DataType type, object[]? dims) => _graph.Input.Add(ValueInfo(name, type, dims));

    /// <summary>Declares a graph output; see <see cref="Input"/> for <paramref name="dims"/>.</summary>
    public void Output(string name, TensorProto.Types.DataType type, object[]? dims) => _graph.Output.Add(ValueInfo(name, type, dims));

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[]? dims)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var d in dims)
            {
                tensorType.Shape.Dim.Add(d switch
                {
                    string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                    long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                    int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                    _ => throw new ArgumentException($"Dimension '{d}' of '{name}' is neither a size nor a symbolic name."),
                });
            }
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>Adds a <c>metadata_props</c> entry; entries are written in the order added.</summary>
    public void Metadata(string key, string value) => _metadata.Add((key, value));

    /// <summary>An int attribute.</summary>
    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An ints attribute.</summary>
    public static AttributeProto Attr(string name, ReadOnlySpan<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values.ToArray());
        return a;
    }

    /// <summary>A strings attribute (UTF-8).</summary>
    public static AttributeProto Attr(string name, ReadOnlySpan<string> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.ToArray().Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>The finished model; the builder hands over its graph and must not be used afterwards.</summary>
    public ModelProto Build(string producerName, string producerVersion, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = producerName,
            ProducerVersion = producerVersion,
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (_usesMlDomain) model.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = MlOpset });
        foreach (var (key, value) in _metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }
}
