using System.CommandLine;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>recommend</c>: the top-K items for one user, computed by topk.onnx in ONNX Runtime. With <c>--new-items FILE</c>
/// (a hybrid model), items that have only text join the catalogue first — embedded, added with
/// <see cref="HybridFactorizationModel.WithNewItems(TextFeatures)"/> and re-exported in memory — without retraining.
/// </summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var model = CliSupport.ModelDirectory();
        var user = new Option<string>("--user") { Description = "Raw user id.", Required = true, HelpName = "ID" };
        var k = new Option<int>("-k") { Description = "Number of items (at most the exported K).", DefaultValueFactory = _ => 10 };
        var newItems = new Option<string?>("--new-items")
        {
            Description = "Add text-only items before recommending (hybrid models, trained with --item-text): a u.item file or FILE:COLUMNS as for --item-text. " +
                "Ids already in the catalogue keep their trained vectors.",
            HelpName = "FILE[:COLUMNS]",
        };
        var command = new Command("recommend", "Recommend items for a user with the exported topk.onnx (ONNX Runtime, CPU).") { model, user, k, newItems };
        command.SetHandler(c =>
        {
            var dir = new ModelDirectory(c.Get(model));
            if (!File.Exists(dir.TopKOnnx)) throw new CliException($"--model: '{dir.TopKOnnx}' is missing; is '{dir.Path}' a folder written by 'mlnet-adv train'?");
            var metadata = OnnxModelFile.Validate(dir.TopKOnnx, OnnxMetadataKeys.TopKContract);
            int exportedK = ModelDirectory.ReadK(metadata, dir.TopKOnnx);
            int wanted = c.Get(k);
            if (wanted <= 0) throw new CliException("-k must be positive.");
            string id = c.Get(user);
            if (c.Get(newItems) is { } spec) return RecommendWithNewItems(c, dir, spec, id, wanted, metadata);
            if (wanted > exportedK)
                throw new CliException($"-k {wanted} exceeds the exported K = {exportedK}; re-export with 'mlnet-adv export --model {dir.Path} --out FILE --topk {wanted}' and serve that file.");

            bool known = File.Exists(dir.ModelBin) ? dir.LoadModel().Users.IndexOf(id) >= 0 : true;
            var (items, scores) = Run(File.ReadAllBytes(dir.TopKOnnx), metadata, id);
            Write(c, id, wanted, known, items, scores, newIds: null);
            return 0;
        });
        return command;
    }

    private static int RecommendWithNewItems(CommandContext c, ModelDirectory dir, string spec, string id, int wanted, IReadOnlyDictionary<string, string> metadata)
    {
        if (dir.LoadModel() is not HybridFactorizationModel hybrid)
            throw new CliException("--new-items needs a hybrid model (trained with --item-text): an id-only model cannot place an item it has never seen.");
        TextFeatures text;
        using (var encoder = TextEncoder.CreateMiniLM()) text = TextFlags.Embed(spec, "--new-items", encoder);
        if (text.Dimension != hybrid.ItemText.TextDimension)
            throw new CliException($"--new-items: {text.Name} embeds to {text.Dimension} values, but the model's item text embeddings have {hybrid.ItemText.TextDimension}.");
        var extended = hybrid.WithNewItems(text);
        var added = extended.Items.Count - hybrid.Items.Count;
        c.Out.WriteLine($"added {added} new text-only item(s) from {text.Name}" + (added < text.Count ? $" ({text.Count - added} already in the catalogue keep their trained vectors)" : ""));
        var newIds = new HashSet<string>(text.Ids.Where(i => hybrid.Items.IndexOf(i) < 0), StringComparer.Ordinal);
        var (kind, hyper) = dir.ReadExportMetadata();
        bool exclude = metadata.GetValueOrDefault(OnnxMetadataKeys.ExcludeTrainingItems) != OnnxContract.Flag(false);
        var topK = extended.ExportTopK(new TopKExportOptions
        {
            ModelKind = kind, HyperParameters = hyper, K = wanted, ExcludeTrainingItems = exclude,
            TrainingData = exclude ? dir.LoadTrainingPositives(extended) : null,
        });
        var (items, scores) = Run(topK, OnnxModelFile.Validate(topK, "top-K graph with the new items", OnnxMetadataKeys.TopKContract), id);
        Write(c, id, wanted, extended.Users.IndexOf(id) >= 0, items, scores, newIds);
        return 0;
    }

    private static void Write(CommandContext c, string id, int wanted, bool known, string[] items, float[] scores, HashSet<string>? newIds)
    {
        c.Out.WriteLine(known
            ? $"top {wanted} for user {id}:"
            : $"user {id} is unknown to the model: using the fallback (mean user) ranking. Top {wanted}:");
        // Excluded (training) items score -inf and fill the tail of the row when fewer than K candidates are left.
        int candidates = Math.Min(wanted, scores.TakeWhile(s => !float.IsNegativeInfinity(s)).Count());
        c.Out.WriteLine($"{"rank",4}  {"item",-12}  {"score",9}");
        for (int r = 0; r < candidates; r++)
            c.Out.WriteLine(FormattableString.Invariant($"{r + 1,4}  {items[r],-12}  {scores[r],9:F4}") + (newIds?.Contains(items[r]) == true ? "  (new)" : ""));
        if (candidates < wanted)
            c.Out.WriteLine(candidates < items.Length
                ? $"only {candidates} of the {wanted} items asked for are left: every other item is one of the user's training items, which are left out."
                : $"only {candidates} of the {wanted} items asked for: the catalogue has no more.");
    }

    private static (string[] Items, float[] Scores) Run(byte[] onnx, IReadOnlyDictionary<string, string> metadata, string id)
    {
        using var session = new InferenceSession(onnx);
        var input = session.InputMetadata[OnnxContract.UserInput];
        int[] shape = input.Dimensions.Length == 2 ? [1, 1] : [1];
        NamedOnnxValue value = metadata.GetValueOrDefault(OnnxMetadataKeys.UserIdType) == OnnxContract.StringIdType
            ? NamedOnnxValue.CreateFromTensor(OnnxContract.UserInput, new DenseTensor<string>(new[] { id }, shape))
            : NamedOnnxValue.CreateFromTensor(OnnxContract.UserInput, new DenseTensor<long>(new[] { ParseInt64(id) }, shape));
        using var results = session.Run([value]);
        var itemsOut = results.First(r => r.Name == OnnxContract.ItemIdsOutput);
        var scores = results.First(r => r.Name == OnnxContract.ScoresOutput).AsEnumerable<float>().ToArray();
        string[] items = metadata.GetValueOrDefault(OnnxMetadataKeys.ItemIdType) == OnnxContract.StringIdType
            ? itemsOut.AsEnumerable<string>().ToArray()
            : itemsOut.AsEnumerable<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        return (items, scores);
    }

    private static long ParseInt64(string id) =>
        long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value : throw new CliException($"--user: the model has integer user ids, and '{id}' is not one.");
}
