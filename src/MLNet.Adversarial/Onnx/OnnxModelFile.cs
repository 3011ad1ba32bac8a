using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace MLNet.Adversarial.Onnx;

/// <summary>Checks ONNX files before they are served, so a damaged file fails with a message naming it.</summary>
public static class OnnxModelFile
{
    /// <summary>Validates the ONNX model at <paramref name="path"/>; see <see cref="Validate(byte[], string)"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable ONNX model; the message names it.</exception>
    public static IReadOnlyDictionary<string, string> Validate(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return Validate(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Parses <paramref name="bytes"/> as an ONNX <c>ModelProto</c> and loads it into an ONNX Runtime CPU session
    /// (which checks the graph, types and operators), then returns its <c>metadata_props</c>.
    /// <paramref name="name"/> (a file name) is used in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a loadable ONNX model (truncated, corrupt, unsupported).</exception>
    public static IReadOnlyDictionary<string, string> Validate(byte[] bytes, string name = "ONNX model")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{name}' is not a valid ONNX model (truncated or corrupt: {e.Message}).", e);
        }
        if (model.Graph is null || model.OpsetImport.Count == 0)
            throw new InvalidDataException($"'{name}' is not a valid ONNX model (no graph or opset; the file may be truncated).");
        try
        {
            using var options = new SessionOptions();
            using var session = new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{name}' cannot be loaded by ONNX Runtime: {e.Message}", e);
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps) metadata[entry.Key] = entry.Value;
        return metadata;
    }
}
