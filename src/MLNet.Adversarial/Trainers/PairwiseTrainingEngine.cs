using System.Diagnostics;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The TorchSharp training loop shared by BPR and APR. Each epoch shuffles the positives, draws negatives and
/// takes mini-batch steps on the BPR loss −ln σ(x_ui − x_uj), plus, when adversarial training is active, λ times
/// the same loss under the worst-case perturbation of the gathered embedding rows: Δ = ε·g/‖g‖₂ per row, g the
/// gradient of the clean loss (He et al., "Adversarial Personalized Ranking for Recommendation", SIGIR 2018).
/// With <see cref="FactorizationTrainerOptions.Privacy"/>, each batch also plays the <see cref="PrivacyGame"/>; with
/// <see cref="FactorizationTrainerOptions.ItemText"/>, the network adds projected text to the item vectors (the hybrid model).
/// </summary>
internal sealed class PairwiseTrainingEngine
{
    private readonly FactorizationTrainerOptions _options;
    private readonly double _epsilon;
    private readonly double _adversarialWeight;
    private readonly int _adversarialStartEpoch;
    private readonly int _seed;
    private readonly Action<string>? _log;
    // Held for the engine's lifetime; see RowSparseOptimizer on why temporary Scalars are avoided in the hot loop.
    private Scalar? _epsilonScalar, _adversarialWeightScalar, _textL2Twice; // created once TorchSharp is loaded

    public PairwiseTrainingEngine(FactorizationTrainerOptions options, double epsilon, double adversarialWeight, int adversarialStartEpoch, int seed, Action<string>? log)
    {
        _options = options;
        _epsilon = epsilon;
        _adversarialWeight = adversarialWeight;
        _adversarialStartEpoch = adversarialStartEpoch;
        _seed = seed;
        _log = log;
    }

    /// <summary>The state at the end of the last <see cref="Train"/> call, to continue training later.</summary>
    public TrainingCheckpoint? LastCheckpoint { get; private set; }

    public static Device ResolveDevice(TrainingDevice device)
    {
        Runtime.TorchSharpNativeLoader.EnsureLoaded();
        return ResolveLoadedDevice(device);
    }

    private static Device ResolveLoadedDevice(TrainingDevice device) => device switch
    {
        TrainingDevice.Cpu => torch.CPU,
        TrainingDevice.Cuda when !torch.cuda.is_available() => throw new InvalidOperationException(
            "Device is Cuda but TorchSharp has no CUDA device: build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU, or use TrainingDevice.Auto/Cpu."),
        TrainingDevice.Cuda => torch.CUDA,
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };

    /// <summary>
    /// Trains on <paramref name="train"/>; <paramref name="validate"/> (higher is better) drives model selection. The
    /// model is a <see cref="FactorizationModel"/>, or a <see cref="HybridFactorizationModel"/> with item text.
    /// </summary>
    public TrainingResult<IRecommenderModel> Train(InteractionData train, Func<IRecommenderModel, double>? validate, TrainingCheckpoint? resumeFrom = null)
    {
        Runtime.TorchSharpNativeLoader.EnsureLoaded(); // before torch's static constructor: see the class for why
        return TrainWithThreads(train, validate, resumeFrom);
    }

    // Kept out of Train: the JIT may run torch's static constructor when it compiles a method that touches torch,
    // which would be before EnsureLoaded had a chance to run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private TrainingResult<IRecommenderModel> TrainWithThreads(InteractionData train, Func<IRecommenderModel, double>? validate, TrainingCheckpoint? resumeFrom)
    {
        _epsilonScalar ??= _epsilon.ToScalar();
        _adversarialWeightScalar ??= _adversarialWeight.ToScalar();
        if (_options.TextProjectionL2 > 0) _textL2Twice ??= (2 * _options.TextProjectionL2).ToScalar();
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(_options.NumberOfThreads ?? 1);
        try
        {
            return TrainCore(train, validate, resumeFrom);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private TrainingResult<IRecommenderModel> TrainCore(InteractionData train, Func<IRecommenderModel, double>? validate, TrainingCheckpoint? resumeFrom)
    {
        var o = _options;
        if (train.Count == 0) throw new ArgumentException("The training data has no positive interactions (check MinRating).");
        var device = ResolveDevice(o.Device);
        int d = o.EmbeddingDimension;

        var text = o.ItemText is null ? null : TrainingText.Create(train, o.ItemText, o.UserText);
        if (text is not null)
        {
            if (text.ItemSide.Missing > 0) _log?.Invoke($"{text.ItemSide.Missing} of {train.Items.Count} items have no text in {text.ItemSide.Name}: they get the mean text embedding (an id-only item vector)");
            if (text.UserSide is { Missing: > 0 } u) _log?.Invoke($"{u.Missing} of {train.Users.Count} users have no text in {u.Name}: they get the mean text embedding");
        }
        using var net = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, d, o.InitialStandardDeviation,
            new Random(_seed), o.Optimizer, o.LearningRate, device, text);
        int firstEpoch = 1;
        IRecommenderModel? best = null;
        double bestMetric = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        var settings = Settings(text);
        if (resumeFrom is not null)
        {
            resumeFrom.CheckSettings(settings);
            resumeFrom.Restore(net, train);
            firstEpoch = resumeFrom.Epoch + 1;
            if (validate is not null)
                (best, bestMetric, bestEpoch, sinceBest) = resumeFrom.Selection;
        }
        string? checkpointPath = o.CheckpointDirectory is null ? null : Path.Combine(o.CheckpointDirectory, FactorizationTrainerOptions.CheckpointFileName);
        ModelSelectionState Selection() => new(best, bestMetric, bestEpoch, sinceBest);
        bool stopEarly = validate is not null && o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience;

        int candidates = o.NegativeSampler == NegativeSamplerKind.Dynamic ? o.DynamicCandidates : 1;
        using var sampling = new EpochSampler(train, o.NegativesPerPositive, candidates, _seed);
        long pairs = sampling.PairCount;
        var users = new RowDeduplicator(train.Users.Count);
        var items = new RowDeduplicator(train.Items.Count);
        var rowBuffer = new long[2 * o.BatchSize];
        var inverseBuffer = new long[2 * o.BatchSize];
        using var privacy = o.Privacy is null ? null : new PrivacyGame(o.Privacy, train, d, o.BatchSize, o.LearningRate, _seed, device);
        var batchUsers = new long[o.BatchSize];
        var representativePairs = new long[o.BatchSize];

        var history = new List<TrainingEpochReport>();

        for (int epoch = firstEpoch; epoch <= o.Epochs && !stopEarly; epoch++)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            // One RNG per epoch, derived from the seed: a run resumed at any epoch draws what an uninterrupted one would.
            var drawn = sampling.Get(epoch, epoch < o.Epochs ? epoch + 1 : null);
            var (u, i, j) = (drawn.Users, drawn.Positives, drawn.Negatives);

            bool adversarial = _adversarialWeight > 0 && epoch > _adversarialStartEpoch;
            bool protecting = privacy?.IsProtecting(epoch) ?? false;
            double lossSum = 0;
            using (var epochScope = torch.NewDisposeScope())
            {
                var lossTotal = torch.zeros(1, device: device);
                for (int start = 0; start < pairs; start += o.BatchSize)
                {
                    o.CancellationToken.ThrowIfCancellationRequested();
                    int len = (int)Math.Min(o.BatchSize, pairs - start);
                    using var batchScope = torch.NewDisposeScope();
                    var bu = u.AsSpan(start, len);
                    var bi = i.AsSpan(start, len);
                    ReadOnlySpan<long> bj = candidates == 1 ? j.AsSpan(start, len) : HardestNegatives(net, bu, j.AsSpan(start * candidates, len * candidates), candidates, device);
                    int userCount = users.Deduplicate(bu, [], rowBuffer, inverseBuffer);
                    var userRows = torch.tensor(rowBuffer.AsSpan(0, userCount).ToArray(), device: device);
                    var userInverse = torch.tensor(inverseBuffer.AsSpan(0, len).ToArray(), device: device);
                    rowBuffer.AsSpan(0, userCount).CopyTo(batchUsers);
                    if (privacy is not null)
                        for (int k = len - 1; k >= 0; k--) representativePairs[inverseBuffer[k]] = k; // ends at each user's first pair
                    int itemCount = items.Deduplicate(bi, bj, rowBuffer, inverseBuffer);
                    var itemRows = torch.tensor(rowBuffer.AsSpan(0, itemCount).ToArray(), device: device);
                    var itemInverse = torch.tensor(inverseBuffer.AsSpan(0, 2 * len).ToArray(), device: device);

                    var batch = net.Gather(userRows, userInverse, itemRows, itemInverse);
                    var loss = BatchLoss(batch, adversarial);
                    Tensor? userDelta = null;
                    if (privacy is not null) (loss, userDelta) = privacy.Play(net, batch, batchUsers.AsSpan(0, userCount), representativePairs.AsSpan(0, userCount), loss, protecting);
                    loss.backward();
                    AddL2Gradient(batch);
                    net.Step(batch, _options.UseItemBias, _textL2Twice);
                    if (userDelta is not null) net.AddToUserRows(batch.UserRows, userDelta);
                    using var weight = ((double)len).ToScalar();
                    lossTotal.add_(loss.detach(), alpha: weight);
                }
                lossSum = lossTotal.item<float>();
            }
            clock.Stop();

            double? metric = null;
            if (validate is not null)
            {
                var snapshot = Snapshot(net, train, text);
                metric = validate(snapshot);
                if (metric > bestMetric) { bestMetric = metric.Value; best = snapshot; bestEpoch = epoch; sinceBest = 0; }
                else sinceBest++;
            }
            var report = new TrainingEpochReport(epoch, o.Epochs, lossSum / pairs, metric, clock.Elapsed.TotalSeconds, pairs, adversarial,
                privacy?.TakeEpochAdversaryLoss());
            history.Add(report);
            _log?.Invoke(report.ToString());
            bool diverged = !double.IsFinite(report.Loss);
            stopEarly = validate is not null && o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience;
            // Written before the progress report, so an observer that sees epoch e (or cancels there) finds its
            // checkpoint; a diverged state is never checkpointed over the last good one.
            if (!diverged && checkpointPath is not null && (epoch % o.CheckpointEvery == 0 || epoch == o.Epochs || stopEarly))
                TrainingCheckpoint.Capture(net, train, epoch, Selection(), settings).Save(checkpointPath);
            o.Progress?.Report(report);
            if (diverged)
                throw new InvalidOperationException($"Training diverged at epoch {epoch} (loss {report.Loss}); lower LearningRate or raise L2Regularization.");
            if (stopEarly)
                _log?.Invoke($"early stopping after epoch {epoch}: no improvement for {sinceBest} validated epochs; keeping epoch {bestEpoch}");
        }

        LastCheckpoint = TrainingCheckpoint.Capture(net, train, firstEpoch - 1 + history.Count, Selection(), settings);
        if (best is not null) return new TrainingResult<IRecommenderModel>(best, history, bestEpoch);
        return new TrainingResult<IRecommenderModel>(Snapshot(net, train, text), history, firstEpoch - 1 + history.Count);
    }

    private static IRecommenderModel Snapshot(MatrixFactorizationNetwork net, InteractionData train, TrainingText? text)
    {
        var factors = net.Snapshot(train.Users, train.Items);
        return text is null ? factors : text.Model(factors, net.ItemTextWeights(), net.UserTextWeights());
    }

    /// <summary>The settings that shape the trajectory (everything but the number of epochs), recorded in checkpoints.</summary>
    private SortedDictionary<string, string> Settings(TrainingText? text) =>
        HyperParameterSet.For(_options.GetType()).CheckpointSettings(_options, _seed, ("ItemText", text?.Fingerprint()));

    /// <summary>Dynamic negative sampling: for each pair, the candidate with the highest current score.</summary>
    private static long[] HardestNegatives(MatrixFactorizationNetwork net, ReadOnlySpan<long> users, ReadOnlySpan<long> candidates, int perPair, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var userTensor = torch.tensor(users.ToArray(), device: device);
        var candidateTensor = torch.tensor(candidates.ToArray(), [users.Length, perPair], device: device);
        var best = candidateTensor.gather(1, net.ScoreCandidates(userTensor, candidateTensor).argmax(1, keepdim: true)).squeeze(1);
        return best.cpu().data<long>().ToArray();
    }

    /// <summary>
    /// The L2 penalty λ·Σ‖row‖²/B over the rows of each pair, added to the gradients directly (2λ/B · row): it needs
    /// no graph, and leaving it out of autograd makes the backward pass markedly cheaper.
    /// </summary>
    private void AddL2Gradient(MatrixFactorizationNetwork.Batch batch) => MatrixFactorizationNetwork.AddL2Gradient(batch, _options.L2Regularization);

    private Tensor BatchLoss(MatrixFactorizationNetwork.Batch b, bool adversarial)
    {
        var biasDiff = _options.UseItemBias ? b.Bi - b.Bj : null;
        // The effective vectors are the leaves themselves for the id-only model, and id + projected text for the hybrid.
        var (pu, qi, qj) = (b.UserVectors, b.PositiveVectors, b.NegativeVectors);
        var clean = BprObjective.Loss(pu, qi, qj, biasDiff);
        if (!adversarial) return clean;
        return clean.Plus(BprObjective.AdversarialLoss(clean, pu, qi, qj, biasDiff, _epsilonScalar!).mul(_adversarialWeightScalar!));
    }
}
