using Google.Protobuf;

namespace MLNet.Adversarial.Onnx;

/// <summary>Renames graph inputs and outputs of a serialised ONNX model (every node reference included).</summary>
internal static class OnnxGraphRenamer
{
    public static byte[] Rename(byte[] model, IReadOnlyDictionary<string, string> names)
    {
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        string Map(string name) => names.TryGetValue(name, out var renamed) ? renamed : name;
        foreach (var value in graph.Input) value.Name = Map(value.Name);
        foreach (var value in graph.Output) value.Name = Map(value.Name);
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) node.Input[i] = Map(node.Input[i]);
            for (int i = 0; i < node.Output.Count; i++) node.Output[i] = Map(node.Output[i]);
        }
        return proto.ToByteArray();
    }
}
