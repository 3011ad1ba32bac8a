using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace MLNet.Adversarial.Onnx;

/// <summary>Checks exported ONNX files before they are served, so a damaged file fails with a message naming it.</summary>
public static class OnnxModelFile
{
    /// <summary>Validates the exported model at <paramref name="path"/>; see <see cref="Validate(byte[], string, string?)"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a complete, loadable export; the message names it.</exception>
    public static IReadOnlyDictionary<string, string> Validate(string path, string? expectedContract = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return Validate(File.ReadAllBytes(path), path, expectedContract);
    }

    /// <summary>
    /// Checks that <paramref name="bytes"/> hold a complete model written by <see cref="FactorizationOnnxExporter"/>:
    /// they parse as an ONNX <c>ModelProto</c>, end with the <see cref="OnnxMetadataKeys.Contract"/> entry (a
    /// protobuf cut short at a field boundary still parses, so this is what detects it), match
    /// <paramref name="expectedContract"/> when given, and load into an ONNX Runtime CPU session (which checks the
    /// graph, types and operators). Returns the model's <c>metadata_props</c>.
    /// </summary>
    /// <param name="bytes">The file's contents.</param>
    /// <param name="name">The file name, used in error messages.</param>
    /// <param name="expectedContract">The contract the caller serves (<see cref="OnnxMetadataKeys.PairwiseScorerContract"/>, ...), or null for either.</param>
    /// <exception cref="InvalidDataException">The bytes are not a complete, loadable export (truncated, corrupt, another contract).</exception>
    public static IReadOnlyDictionary<string, string> Validate(byte[] bytes, string name = "ONNX model", string? expectedContract = null)
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
        var props = model.MetadataProps;
        if (model.Graph is null || model.OpsetImport.Count == 0 || props.Count == 0 || props[^1].Key != OnnxMetadataKeys.Contract)
            throw new InvalidDataException($"'{name}' is not a complete exported recommender model: it lacks its graph, opsets or final " +
                $"'{OnnxMetadataKeys.Contract}' metadata entry (the file may be truncated).");
        var contract = props[^1].Value;
        if (expectedContract is not null && contract != expectedContract)
            throw new InvalidDataException($"'{name}' is a '{contract}' model, not the expected '{expectedContract}'.");
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
        foreach (var entry in props) metadata[entry.Key] = entry.Value;
        return metadata;
    }
}
