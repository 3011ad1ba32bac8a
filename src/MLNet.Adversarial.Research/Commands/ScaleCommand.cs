using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>scale</c>: the scale measurement. Generates a synthetic data set (default 1M users, 100k items, 20M rows),
/// optionally writes it to a text file and streams it back through ML.NET's <c>TextLoader</c>, reads it from the
/// <see cref="IDataView"/> into columnar arrays, trains APR epochs and reports time, pairs per second and peak memory.
/// </summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var users = new Option<int>("--users") { Description = "Synthetic users.", DefaultValueFactory = _ => 1_000_000 };
        var items = new Option<int>("--items") { Description = "Synthetic items.", DefaultValueFactory = _ => 100_000 };
        var interactions = new Option<long>("--interactions") { Description = "Synthetic rows.", DefaultValueFactory = _ => 20_000_000 };
        var epochs = new Option<int>("--epochs") { Description = "APR epochs (adversarial from the first).", DefaultValueFactory = _ => 1 };
        var dim = new Option<int>("--dim") { Description = "Embedding dimension.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.EmbeddingDimension };
        var batch = new Option<int>("--batch") { Description = "Pairs per step.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.BatchSize };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => 1 };
        var dataFile = CliSupport.File("--data", "Text file to stream the rows from through ML.NET's TextLoader (written first when missing). Default: an in-memory columnar IDataView.");
        var export = new Option<bool>("--export") { Description = "Also export the pairwise scorer ONNX and report its size and time." };
        var report = CliSupport.File("--report", "Write the measurements as JSON.");
        var command = new Command("scale", "Scale measurement: train APR on a large synthetic data set streamed from an IDataView; report pairs/s and peak memory.")
        {
            users, items, interactions, epochs, dim, batch, threads, dataFile, export, report,
        };
        command.SetHandler(c =>
        {
            var o = c.Out;
            var total = Stopwatch.StartNew();
            var phases = new List<Phase>();
            void Mark(string name, Stopwatch clock)
            {
                GC.Collect();
                using var self = Process.GetCurrentProcess();
                var phase = new Phase(name, clock.Elapsed.TotalSeconds, self.WorkingSet64 / 1048576.0, self.PeakWorkingSet64 / 1048576.0, GC.GetTotalMemory(false) / 1048576.0);
                phases.Add(phase);
                o.WriteLine(FormattableString.Invariant($"{name}: {phase.Seconds:F1}s; RSS {phase.RssMiB:F0} MiB, peak {phase.PeakRssMiB:F0} MiB, managed {phase.ManagedMiB:F0} MiB"));
            }

            var synthetic = new SyntheticInteractions.Options { Users = c.Get(users), Items = c.Get(items), Interactions = c.Get(interactions), Seed = 42 };
            synthetic.Validate();
            var ml = new MLContext(seed: 1);
            IDataView view;
            var path = c.Get(dataFile);
            var clock = Stopwatch.StartNew();
            if (path is not null)
            {
                if (!File.Exists(path))
                {
                    WriteTsv(path, SyntheticInteractions.Generate(synthetic));
                    Mark($"generate + write {path}", clock);
                    clock.Restart();
                }
                view = ml.Data.LoadFromTextFile(path, [new TextLoader.Column("UserId", DataKind.Int64, 0), new TextLoader.Column("ItemId", DataKind.Int64, 1)], separatorChar: '\t');
            }
            else
            {
                view = new InteractionDataView(SyntheticInteractions.Generate(synthetic));
                Mark("generate (columnar arrays)", clock);
                clock.Restart();
            }

            var table = DataViewInteractionReader.Read(view, "UserId", "ItemId", null);
            var train = InteractionData.FromTable(table, null);
            table = null;
            Mark(FormattableString.Invariant($"read IDataView: {train.Count:N0} positives, {train.Users.Count:N0} users, {train.Items.Count:N0} items"), clock);

            var options = new AprTrainer.Options
            {
                Epochs = c.Get(epochs), EmbeddingDimension = c.Get(dim), BatchSize = c.Get(batch), NumberOfThreads = c.Get(threads),
                AdversarialStartEpoch = 0, Seed = 1, Device = TrainingDevice.Cpu,
            };
            var trainer = ml.Adversarial().Trainers.Apr(options);
            clock.Restart();
            var result = trainer.Train(train, null, 1, line => o.WriteLine(line), out _);
            Mark("train", clock);
            double seconds = result.History.Sum(h => h.Seconds);
            double pairsPerSecond = result.History.Sum(h => (double)h.Pairs) / seconds;
            o.WriteLine(FormattableString.Invariant($"APR: {result.History.Sum(h => h.Pairs):N0} pairs in {seconds:F1}s = {pairsPerSecond:N0} pairs/s"));

            long onnxBytes = 0;
            if (c.Get(export))
            {
                clock.Restart();
                onnxBytes = FactorizationOnnxExporter.ExportPairwiseScorer(result.Model, new OnnxExportOptions { ModelKind = "apr-mf" }).LongLength;
                Mark(FormattableString.Invariant($"export scorer.onnx ({onnxBytes / 1048576.0:F0} MiB)"), clock);
            }
            using (var self = Process.GetCurrentProcess())
                o.WriteLine(FormattableString.Invariant($"total {total.Elapsed.TotalSeconds:F1}s; peak RSS {self.PeakWorkingSet64 / 1048576.0:F0} MiB"));
            if (c.Get(report) is { } reportPath)
                Reports.WriteJson(reportPath, new { synthetic.Users, synthetic.Items, synthetic.Interactions, options.EmbeddingDimension, options.BatchSize, Threads = options.NumberOfThreads,
                    Source = path is null ? "InteractionDataView" : "TextLoader", PairsPerSecond = pairsPerSecond, EpochSeconds = seconds, OnnxBytes = onnxBytes, Phases = phases,
                    ProcessorCount = Environment.ProcessorCount });
            return 0;
        });
        return command;
    }

    private sealed record Phase(string Name, double Seconds, double RssMiB, double PeakRssMiB, double ManagedMiB);

    private static void WriteTsv(string path, InteractionTable table) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, bufferSize: 1 << 20, leaveOpen: true);
        var u = table.Users.Int64Values;
        var i = table.Items.Int64Values;
        Span<char> buffer = stackalloc char[48];
        for (int r = 0; r < table.Count; r++)
        {
            u[r].TryFormat(buffer, out int a, provider: CultureInfo.InvariantCulture);
            buffer[a++] = '\t';
            i[r].TryFormat(buffer[a..], out int b, provider: CultureInfo.InvariantCulture);
            a += b;
            buffer[a++] = '\n';
            writer.Write(buffer[..a]);
        }
    });
}
