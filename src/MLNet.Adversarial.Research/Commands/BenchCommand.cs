using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>bench</c>: training throughput (pairs per second per epoch, k = 64) on MovieLens-100K and on a synthetic
/// 1M-interaction set, and scoring throughput through a PredictionEngine, a batch Transform and raw ONNX Runtime
/// top-K for every user. All figures come from one run on one machine, so their ratios are comparable.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var epochs = new Option<int>("--epochs") { Description = "Epochs timed per training case (the first is discarded as warm-up).", DefaultValueFactory = _ => 4 };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 4096 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads while training.", DefaultValueFactory = _ => 1 };
        var output = CliSupport.File("--out", "Also write the Markdown tables here.");
        var command = new Command("bench", "Measure training and scoring throughput; prints Markdown tables.") { epochs, batch, threads, output };
        command.SetHandler(c =>
        {
            if (c.Get(epochs) < 2) throw new CliException("--epochs must be at least 2 (the first is a warm-up).");
            if (c.Get(batch) <= 0) throw new CliException("--batch must be positive.");
            if (c.Get(threads) <= 0) throw new CliException("--threads must be positive.");
            var report = Run(c.Get(epochs), c.Get(batch), c.Get(threads), c.Out);
            c.Out.Write(report);
            if (c.Get(output) is { } path) AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(report));
            return 0;
        });
        return command;
    }

    private static string Run(int epochs, int batch, int threads, TextWriter log)
    {
        var sb = new StringBuilder();
        sb.AppendLine(FormattableString.Invariant($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; training k = 64, batch {batch}, {threads} libtorch thread(s), median of epochs 2..{epochs}."));
        sb.AppendLine();
        sb.AppendLine("| data | pairs / epoch | BPR pairs/s | APR pairs/s | APR + DNS(5) pairs/s |");
        sb.AppendLine("|---|---|---|---|---|");

        var ml100k = InteractionData.FromTable(InteractionFileReader.Read(DataLocator.GetPath("ml-100k/u1.base")), 4f);
        var synthetic = InteractionData.FromTable(SyntheticInteractions.Generate(new SyntheticInteractions.Options { Users = 50_000, Items = 20_000, Interactions = 1_000_000 }), null);
        foreach (var (name, data) in new[] { ("MovieLens-100K u1.base (ratings ≥ 4)", ml100k), ("synthetic 50k users × 20k items", synthetic) })
        {
            double Train(double adversarialWeight, NegativeSamplerKind sampler)
            {
                var options = new AprTrainer.Options
                {
                    EmbeddingDimension = 64, Epochs = epochs, BatchSize = batch, AdversarialWeight = adversarialWeight,
                    NegativeSampler = sampler, Device = TrainingDevice.Cpu, NumberOfThreads = threads,
                };
                var result = new MLContext(1).Adversarial().Trainers.Apr(options).Train(data, null, 1, null, out _);
                var rates = result.History.Skip(1).Select(h => h.PairsPerSecond).Order().ToArray();
                return rates[rates.Length / 2];
            }
            double bpr = Train(0, NegativeSamplerKind.Uniform), apr = Train(1, NegativeSamplerKind.Uniform), dns = Train(1, NegativeSamplerKind.Dynamic);
            log.WriteLine(FormattableString.Invariant($"{name}: BPR {bpr:N0}, APR {apr:N0}, APR+DNS {dns:N0} pairs/s"));
            sb.AppendLine(FormattableString.Invariant($"| {name} | {data.Count:N0} | {bpr / 1e6:F2}M | {apr / 1e6:F2}M | {dns / 1e6:F2}M |"));
        }

        sb.AppendLine();
        sb.AppendLine("Scoring a BPR model trained on u1.base (k = 64), on the CPU:");
        sb.AppendLine();
        sb.AppendLine("| path | work | time | throughput |");
        sb.AppendLine("|---|---|---|---|");
        var ml = new MLContext(1);
        var table = InteractionFileReader.Read(DataLocator.GetPath("ml-100k/u1.base"));
        var view = new InteractionDataView(table);
        using var model = ml.Adversarial().Trainers.Bpr(new AprTrainer.Options { Epochs = 2, Device = TrainingDevice.Cpu, RatingColumnName = InteractionDataView.Columns.Rating, MinRating = 4, UserColumnName = InteractionDataView.Columns.User, ItemColumnName = InteractionDataView.Columns.Item }).Fit(view);

        var engine = ml.Model.CreatePredictionEngine<PairRow, ScoreRow>(model);
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        const int singles = 20_000;
        var row = new PairRow();
        for (int r = 0; r < 1000; r++) { row.UserId = users[r]; row.ItemId = items[r]; engine.Predict(row); }
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < singles; r++) { row.UserId = users[r]; row.ItemId = items[r]; engine.Predict(row); }
        clock.Stop();
        sb.AppendLine(Row("PredictionEngine (one row per call)", $"{singles:N0} pairs", clock.Elapsed, singles, "pairs/s"));

        _ = model.Transform(view).GetColumn<float>("Score").Count();
        clock.Restart();
        int transformed = model.Transform(view).GetColumn<float>("Score").Count();
        clock.Stop();
        sb.AppendLine(Row("batch Transform (IDataView, ApplyOnnxModel)", $"{transformed:N0} pairs", clock.Elapsed, transformed, "pairs/s"));

        using var sessionOptions = new SessionOptions();
        using var session = new InferenceSession(model.TopKOnnx, sessionOptions);
        var allUsers = model.Model.Users.Int64Ids.ToArray();
        var input = NamedOnnxValue.CreateFromTensor(OnnxContract.UserInput, new DenseTensor<long>(allUsers, [allUsers.Length]));
        using (session.Run([input])) { }
        const int passes = 20;
        clock.Restart();
        for (int p = 0; p < passes; p++) using (session.Run([input])) { }
        clock.Stop();
        var perPass = clock.Elapsed / passes;
        sb.AppendLine(Row("ONNX Runtime top-10 for all users (one batch)", $"{allUsers.Length:N0} users × {model.Model.Items.Count:N0} items", perPass, allUsers.Length, "users/s"));
        return sb.ToString();
    }

    private static string Row(string path, string work, TimeSpan time, double count, string unit) =>
        FormattableString.Invariant($"| {path} | {work} | {time.TotalMilliseconds:F1} ms | {count / time.TotalSeconds:N0} {unit} |");

    private sealed class PairRow
    {
        public long UserId { get; set; }
        public long ItemId { get; set; }
    }

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }
}
