using System.Diagnostics;
using Microsoft.ML;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Tests.Trainers;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Reliability;

/// <summary>Determinism, periodic atomic checkpoints, resume after cancellation and after a real SIGKILL.</summary>
[TestClass]
public sealed class CheckpointResumeTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-adv-rel-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [TestMethod]
    public void SameDataOptionsAndSeedGiveByteIdenticalOnnxFiles()
    {
        var data = TrainingFixtures.Interactions().DataView();
        byte[] Scorer(out byte[] topK, out byte[] zip)
        {
            var ml = new MLContext(seed: 5);
            using var model = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 4)).Fit(data);
            topK = model.TopKOnnx;
            using var stream = new MemoryStream();
            model.Model.Save(stream);
            zip = stream.ToArray();
            return model.ScorerOnnx;
        }
        var a = Scorer(out var topKA, out var binA);
        var b = Scorer(out var topKB, out var binB);
        CollectionAssert.AreEqual(a, b, "scorer.onnx");
        CollectionAssert.AreEqual(topKA, topKB, "topk.onnx");
        CollectionAssert.AreEqual(binA, binB, "model.bin");
    }

    [TestMethod]
    public void CheckpointsCarryModelSelectionSoResumedRunsSelectAndStopLikeUninterruptedOnes()
    {
        var ml = new MLContext(seed: 1);
        var all = TrainingFixtures.Interactions();
        var split = HoldoutSplit.PerUser(all, 0.25, seed: 9, minRating: null);
        AprTrainer.Options Options(string? dir, TrainingCheckpoint? resumeFrom = null)
        {
            var o = TrainingFixtures.FastOptions(epochs: 8);
            o.ValidationData = split.Holdout.DataView();
            o.EarlyStoppingPatience = 1;
            o.CheckpointDirectory = dir;
            o.CheckpointEvery = 3;
            o.ResumeFrom = resumeFrom;
            return o;
        }
        using var straight = ml.Adversarial().Trainers.Apr(Options(null)).Fit(split.Train.DataView());
        TestContext.WriteLine($"uninterrupted: {straight.Training.History.Count} epochs, selected {straight.Training.SelectedEpoch}; " +
            string.Join(", ", straight.Training.History.Select(h => h.ValidationMetric?.ToString("F4"))));
        // On this data the validation NDCG dips at epoch 4: early stopping after 4, keeping epoch 3.
        // (If a change to training moves this dip, pick a seed or patience where the run stops early with the
        // selected epoch before the last one: that is what this test needs.)
        Assert.AreEqual(4, straight.Training.History.Count, "the uninterrupted run must stop early for this test to mean something");
        Assert.AreEqual(3, straight.Training.SelectedEpoch, "the selected epoch must precede the last one for this test to mean something");

        var dir = TempDir();
        var file = Path.Combine(dir, FactorizationTrainerOptions.CheckpointFileName);
        var seen = new List<int>();
        byte[]? atEpoch3 = null;
        var run = Options(dir);
        run.Progress = new SynchronousProgress<TrainingEpochReport>(r =>
        {
            if (!File.Exists(file)) return;
            seen.Add(TrainingCheckpoint.Load(file).Epoch);
            if (r.Epoch == 3) atEpoch3 = File.ReadAllBytes(file);
        });
        using (var checkpointed = ml.Adversarial().Trainers.Apr(run).Fit(split.Train.DataView()))
            CollectionAssert.AreEqual(straight.ScorerOnnx, checkpointed.ScorerOnnx, "checkpointing does not change the run");
        CollectionAssert.AreEqual(new[] { 3, 4 }, seen, "every 3 epochs, and when training stops early; none after 1 or 2");
        Assert.AreEqual(0, Directory.GetFiles(dir, "*.tmp").Length, "no temporary file is left behind");

        var last = TrainingCheckpoint.Load(file);
        Assert.AreEqual((4, 3, 1), (last.Epoch, last.BestEpoch, last.EpochsSinceBest));
        Assert.AreEqual(straight.Training.History[2].ValidationMetric, last.BestMetric);

        // Resumed after epoch 3: runs epoch 4, stops early there and keeps epoch 3, as the uninterrupted run did.
        using (var fromThree = ml.Adversarial().Trainers.Apr(Options(null, TrainingCheckpoint.Load(new MemoryStream(atEpoch3!)))).Fit(split.Train.DataView()))
        {
            // The history comes with the checkpoint: the resumed run reports every epoch, as the uninterrupted one.
            CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, fromThree.Training.History.Select(h => h.Epoch).ToArray());
            CollectionAssert.AreEqual(straight.Training.History.Select(h => h.ValidationMetric).ToArray(), fromThree.Training.History.Select(h => h.ValidationMetric).ToArray());
            Assert.AreEqual(3, fromThree.Training.SelectedEpoch);
            CollectionAssert.AreEqual(straight.ScorerOnnx, fromThree.ScorerOnnx);
        }
        // Resumed from the final checkpoint: patience is already spent, so nothing runs, and the stored best model is kept.
        using (var fromFour = ml.Adversarial().Trainers.Apr(Options(null, last)).Fit(split.Train.DataView()))
        {
            Assert.AreEqual(4, fromFour.Training.History.Count, "no epoch runs; the history is the checkpoint's");
            Assert.AreEqual(3, fromFour.Training.SelectedEpoch);
            CollectionAssert.AreEqual(straight.ScorerOnnx, fromFour.ScorerOnnx);
        }
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void CancellationStopsWithinOneBatchAndLeavesTheLastCheckpointIntact()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingFixtures.Interactions(users: 100, items: 60, perUser: 8).DataView();
        AprTrainer.Options Options(int epochs)
        {
            var o = TrainingFixtures.FastOptions(epochs);
            o.BatchSize = 4; // hundreds of batches per epoch
            return o;
        }
        var dir = TempDir();
        var file = Path.Combine(dir, FactorizationTrainerOptions.CheckpointFileName);
        using var cts = new CancellationTokenSource();
        var cancelled = new Stopwatch();
        var first = Options(1000);
        first.CheckpointDirectory = dir;
        first.CancellationToken = cts.Token;
        byte[]? before = null;
        double epochSeconds = 0;
        first.Progress = new SynchronousProgress<TrainingEpochReport>(r =>
        {
            if (r.Epoch != 2) return;
            epochSeconds = r.Seconds;
            before = File.ReadAllBytes(file);
            // Cancel from another thread a few milliseconds into epoch 3.
            Task.Run(async () => { await Task.Delay(5); cancelled.Start(); cts.Cancel(); });
        });
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Adversarial().Trainers.Apr(first).Fit(data));
        cancelled.Stop();
        TestContext.WriteLine($"epoch {epochSeconds * 1000:F0} ms; stopped {cancelled.Elapsed.TotalMilliseconds:F1} ms after the cancel");
        Assert.IsNotNull(before);
        // Epoch 3 never finished (else its checkpoint would have replaced epoch 2's): the stop came mid-epoch.
        CollectionAssert.AreEqual(before, File.ReadAllBytes(file), "the checkpoint of epoch 2 is untouched");
        var checkpoint = TrainingCheckpoint.Load(file);
        Assert.AreEqual(2, checkpoint.Epoch);
        Assert.AreEqual(0, Directory.GetFiles(dir, "*.tmp").Length);

        // And it resumes to the uninterrupted model.
        using var straight = ml.Adversarial().Trainers.Apr(Options(3)).Fit(data);
        var resumed = Options(3);
        resumed.ResumeFrom = checkpoint;
        using var second = ml.Adversarial().Trainers.Apr(resumed).Fit(data);
        CollectionAssert.AreEqual(straight.ScorerOnnx, second.ScorerOnnx);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// A CLI run killed with SIGKILL, then resumed, writes the uninterrupted run's files: plain APR, privacy (a stateful
    /// adversary with its own optimiser), and the two GANs (generator, discriminator and their optimisers). The default
    /// internal validation split and refit are on, so the checkpoints cover the validated run and the refit.
    /// </summary>
    [TestMethod]
    [DataRow("apr")]
    [DataRow("privacy")]
    [DataRow("irgan")]
    [DataRow("cfgan")]
    public void CliRunKilledWithSigkillResumesToTheUninterruptedModel(string trainer)
    {
        var root = TempDir();
        string[] extra = trainer switch
        {
            "privacy" => ["--trainer", "bpr", "--sensitive", SyntheticUserGroups(root) + ":group", "--adversary-hidden", "8"],
            "irgan" => ["--trainer", "irgan", "--gan-epochs", "3", "--d-epochs", "1"],
            "cfgan" => ["--trainer", "cfgan", "--g-hidden", "16", "--d-hidden", "16"],
            _ => [],
        };
        string[] Args(string outDir) => ["train", "--epochs", "4", "--dim", "16", "--seed", "3", .. extra, "--out", outDir];

        // Uninterrupted, in-process.
        var straightOut = Path.Combine(root, "straight");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.AreEqual(0, CliApp.Run(Args(straightOut), stdout, stderr), stderr.ToString());

        // A child process, killed (SIGKILL) as soon as its first checkpoint exists.
        var killedOut = Path.Combine(root, "killed");
        var checkpoints = Path.Combine(root, "checkpoints");
        var checkpointFile = Path.Combine(checkpoints, FactorizationTrainerOptions.CheckpointFileName);
        using (var child = StartCli([.. Args(killedOut), "--checkpoint-dir", checkpoints]))
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpointFile) && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(10);
            Assert.IsFalse(child.HasExited, "the child finished before it could be killed; give it more epochs");
            child.Kill(); // SIGKILL on Unix
            child.WaitForExit();
        }
        var interrupted = TrainingCheckpoint.Load(checkpointFile);
        TestContext.WriteLine($"killed after epoch {interrupted.Epoch}");
        var finished = TrainingCheckpoint.Load(Path.Combine(straightOut, FactorizationTrainerOptions.CheckpointFileName));
        Assert.IsTrue(!interrupted.IsRefit || interrupted.Epoch < finished.Epoch, "killed mid-run");
        // Nothing at a final path is half-written: the model files do not exist yet, and the checkpoint loads.
        foreach (var name in new[] { "model.zip", "model.bin", "scorer.onnx", "topk.onnx", "metrics.json" })
            Assert.IsFalse(File.Exists(Path.Combine(killedOut, name)), name);

        // Resume in a second child, killed (SIGKILL) as soon as it starts writing the model files.
        using (var child = StartCli([.. Args(killedOut), "--resume", checkpoints]))
        {
            var clock = Stopwatch.StartNew();
            var zip = Path.Combine(killedOut, "model.zip");
            while (!File.Exists(zip) && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(2);
            if (!child.HasExited) child.Kill();
            child.WaitForExit();
        }
        // Whatever exists at a final path is complete.
        var written = Directory.GetFiles(killedOut).Select(Path.GetFileName).ToArray();
        TestContext.WriteLine($"second kill left: {string.Join(", ", written)}");
        Assert.IsTrue(written.Contains("model.zip"));
        (new MLContext(seed: 1).Adversarial().LoadModel(Path.Combine(killedOut, "model.zip"), out _) as IDisposable)?.Dispose();
        if (written.Contains("model.bin")) { using var s = File.OpenRead(Path.Combine(killedOut, "model.bin")); RecommenderModelFile.Load(s, "model.bin"); }
        foreach (var onnx in written.Where(n => n!.EndsWith(".onnx", StringComparison.Ordinal))) OnnxModelFile.Validate(Path.Combine(killedOut, onnx!));
        if (written.Contains("metrics.json")) System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(killedOut, "metrics.json"))).Dispose();
        Assert.AreEqual((true, finished.Epoch), (TrainingCheckpoint.Load(checkpointFile).IsRefit, TrainingCheckpoint.Load(checkpointFile).Epoch),
            "training had finished and checkpointed the refit's last epoch");

        // Resume in-process from the checkpoint folder (no epochs left: it writes the same files).
        stdout = new StringWriter();
        stderr = new StringWriter();
        Assert.AreEqual(0, CliApp.Run([.. Args(killedOut), "--resume", checkpoints], stdout, stderr), stderr.ToString());
        StringAssert.Contains(stdout.ToString(), $"resuming after epoch {finished.Epoch}");
        foreach (var name in new[] { "scorer.onnx", "topk.onnx", "model.bin" })
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(straightOut, name)), File.ReadAllBytes(Path.Combine(killedOut, name)), name);
        OnnxModelFile.Validate(Path.Combine(killedOut, "scorer.onnx"));
        Assert.AreEqual(finished.Epoch, TrainingCheckpoint.Load(checkpointFile).Epoch);
        Assert.IsEmpty(Directory.GetFiles(killedOut, "*.tmp"), "the killed writer's leftovers are removed by the next write");
        Directory.Delete(root, recursive: true);
    }

    /// <summary>A user attribute file (id,group) for the synthetic data set the CLI trains on with --seed 3.</summary>
    private static string SyntheticUserGroups(string root)
    {
        var users = SyntheticInteractions.GenerateSplit(new SyntheticInteractions.Options { Seed = 3 }).Train.Users.Int64Values.ToArray().Distinct().Order();
        var path = Path.Combine(root, "users.csv");
        File.WriteAllLines(path, ["id,group", .. users.Select(u => $"{u},{(u % 3 == 0 ? "a" : "b")}")]);
        return path;
    }

    private static Process StartCli(IEnumerable<string> args)
    {
        var child = CliProcess.Start(args);
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }

    [TestMethod]
    public void KillingTheWriterMidFileNeverExposesAPartialFile()
    {
        // AtomicFile: an exception (as good as a kill, for the final path) while writing leaves the old file.
        var dir = TempDir();
        var path = Path.Combine(dir, "model.bin");
        AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, s => { s.Write(new byte[1000]); throw new IOException("disk gone"); }));
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.AreEqual(1, Directory.GetFiles(dir).Length);

        // A leftover of a dead process (pid 2^22 + 1 is above Linux's pid_max) is removed; other names are kept.
        var dead = path + "." + ((1 << 22) + 1) + ".tmp";
        var other = path + ".backup.tmp";
        File.WriteAllBytes(dead, [9]);
        File.WriteAllBytes(other, [9]);
        AtomicFile.WriteAllBytes(path, new byte[] { 4 });
        Assert.IsFalse(File.Exists(dead));
        Assert.IsTrue(File.Exists(other));
        CollectionAssert.AreEqual(new byte[] { 4 }, File.ReadAllBytes(path));
        Directory.Delete(dir, recursive: true);
    }
}
