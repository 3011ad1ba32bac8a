using System.CommandLine;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary><c>recommend</c>: the top-K items for one user, computed by topk.onnx in ONNX Runtime.</summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var model = CliSupport.ModelDirectory();
        var user = new Option<string>("--user") { Description = "Raw user id.", Required = true, HelpName = "ID" };
        var k = new Option<int>("-k") { Description = "Number of items (at most the exported K).", DefaultValueFactory = _ => 10 };
        var command = new Command("recommend", "Recommend items for a user with the exported topk.onnx (ONNX Runtime, CPU).") { model, user, k };
        command.SetHandler(c =>
        {
            var dir = new ModelDirectory(c.Get(model));
            if (!File.Exists(dir.TopKOnnx)) throw new CliException($"--model: '{dir.TopKOnnx}' is missing; is '{dir.Path}' a folder written by 'mlnet-adv train'?");
            var metadata = OnnxModelFile.Validate(dir.TopKOnnx, OnnxMetadataKeys.TopKContract);
            int exportedK = ModelDirectory.ReadK(metadata, dir.TopKOnnx);
            int wanted = c.Get(k);
            if (wanted <= 0) throw new CliException("-k must be positive.");
            if (wanted > exportedK)
                throw new CliException($"-k {wanted} exceeds the exported K = {exportedK}; re-export with 'mlnet-adv export --model {dir.Path} --out FILE --topk {wanted}' and serve that file.");

            string id = c.Get(user);
            bool known = File.Exists(dir.ModelBin) ? dir.LoadModel().Users.IndexOf(id) >= 0 : true;
            var (items, scores) = Run(dir.TopKOnnx, metadata, id);
            c.Out.WriteLine(known
                ? $"top {wanted} for user {id}:"
                : $"user {id} is unknown to the model: using the fallback (mean user) ranking. Top {wanted}:");
            c.Out.WriteLine($"{"rank",4}  {"item",-12}  {"score",9}");
            for (int r = 0; r < Math.Min(wanted, items.Length); r++)
                c.Out.WriteLine(FormattableString.Invariant($"{r + 1,4}  {items[r],-12}  {scores[r],9:F4}"));
            return 0;
        });
        return command;
    }

    private static (string[] Items, float[] Scores) Run(string path, IReadOnlyDictionary<string, string> metadata, string id)
    {
        using var session = new InferenceSession(path);
        var input = session.InputMetadata[FactorizationOnnxExporter.UserInput];
        int[] shape = input.Dimensions.Length == 2 ? [1, 1] : [1];
        NamedOnnxValue value = metadata.GetValueOrDefault(OnnxMetadataKeys.UserIdType) == "string"
            ? NamedOnnxValue.CreateFromTensor(FactorizationOnnxExporter.UserInput, new DenseTensor<string>(new[] { id }, shape))
            : NamedOnnxValue.CreateFromTensor(FactorizationOnnxExporter.UserInput, new DenseTensor<long>(new[] { ParseInt64(id) }, shape));
        using var results = session.Run([value]);
        var itemsOut = results.First(r => r.Name == FactorizationOnnxExporter.ItemIdsOutput);
        var scores = results.First(r => r.Name == FactorizationOnnxExporter.ScoresOutput).AsEnumerable<float>().ToArray();
        string[] items = metadata.GetValueOrDefault(OnnxMetadataKeys.ItemIdType) == "string"
            ? itemsOut.AsEnumerable<string>().ToArray()
            : itemsOut.AsEnumerable<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        return (items, scores);
    }

    private static long ParseInt64(string id) =>
        long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value : throw new CliException($"--user: the model has integer user ids, and '{id}' is not one.");
}
