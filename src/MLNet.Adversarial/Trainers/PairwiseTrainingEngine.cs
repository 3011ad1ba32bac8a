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
/// With <see cref="FactorizationTrainerOptions.Privacy"/>, each batch also plays the <see cref="PrivacyGame"/>.
/// </summary>
internal sealed class PairwiseTrainingEngine
{
    private readonly FactorizationTrainerOptions _options;
    private readonly double _epsilon;
    private readonly double _adversarialWeight;
    private readonly int _adversarialStartEpoch;
    private readonly int _seed;
    private readonly Action<string>? _log;

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

    public static Device ResolveDevice(TrainingDevice device) => device switch
    {
        TrainingDevice.Cpu => torch.CPU,
        TrainingDevice.Cuda when !torch.cuda.is_available() => throw new InvalidOperationException(
            "Device is Cuda but TorchSharp has no CUDA device: build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU, or use TrainingDevice.Auto/Cpu."),
        TrainingDevice.Cuda => torch.CUDA,
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };

    /// <summary>Trains on <paramref name="train"/>; <paramref name="validate"/> (higher is better) drives model selection.</summary>
    public TrainingResult Train(InteractionData train, Func<FactorizationModel, double>? validate, TrainingCheckpoint? resumeFrom = null)
    {
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

    private TrainingResult TrainCore(InteractionData train, Func<FactorizationModel, double>? validate, TrainingCheckpoint? resumeFrom)
    {
        var o = _options;
        if (train.Count == 0) throw new ArgumentException("The training data has no positive interactions (check MinRating).");
        var device = ResolveDevice(o.Device);
        int d = o.EmbeddingDimension;

        using var net = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, d, o.InitialStandardDeviation,
            new Random(_seed), o.Optimizer, o.LearningRate, device);
        int firstEpoch = 1;
        if (resumeFrom is not null)
        {
            resumeFrom.Restore(net, train);
            firstEpoch = resumeFrom.Epoch + 1;
        }

        NegativeSampler.EnsureNegativesExist(train);
        var posUsers = train.UserIndicesExpanded();
        var posItems = train.ItemIndices.ToArray();
        long pairs = (long)posUsers.Length * o.NegativesPerPositive;
        if (pairs > int.MaxValue) throw new NotSupportedException($"{pairs} training pairs per epoch exceed the supported 2^31-1.");
        var u = new long[pairs];
        var i = new long[pairs];
        var j = new long[pairs * (o.NegativeSampler == NegativeSamplerKind.Dynamic ? o.DynamicCandidates : 1)];
        var order = Enumerable.Range(0, posUsers.Length).ToArray();
        var users = new RowDeduplicator(train.Users.Count);
        var items = new RowDeduplicator(train.Items.Count);
        var rowBuffer = new long[2 * o.BatchSize];
        var inverseBuffer = new long[2 * o.BatchSize];
        using var privacy = o.Privacy is null ? null : new PrivacyGame(o.Privacy, train, d, o.BatchSize, o.LearningRate, _seed, device);
        var batchUsers = new long[o.BatchSize];

        var history = new List<TrainingEpochReport>();
        FactorizationModel? best = null;
        double bestMetric = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;

        for (int epoch = firstEpoch; epoch <= o.Epochs; epoch++)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            // One RNG per epoch, derived from the seed: a run resumed at any epoch draws what an uninterrupted one would.
            var rng = new Random(unchecked(_seed * 1_000_003 + epoch));
            var sampler = new NegativeSampler(train, rng);
            Array.Sort(order);
            rng.Shuffle(order);
            int candidates = o.NegativeSampler == NegativeSamplerKind.Dynamic ? o.DynamicCandidates : 1;
            for (int r = 0, k = 0; r < order.Length; r++)
                for (int n = 0; n < o.NegativesPerPositive; n++, k++)
                {
                    int p = order[r];
                    u[k] = posUsers[p];
                    i[k] = posItems[p];
                    sampler.Fill(posUsers[p], j.AsSpan(k * candidates, candidates));
                }

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
                    int itemCount = items.Deduplicate(bi, bj, rowBuffer, inverseBuffer);
                    var itemRows = torch.tensor(rowBuffer.AsSpan(0, itemCount).ToArray(), device: device);
                    var itemInverse = torch.tensor(inverseBuffer.AsSpan(0, 2 * len).ToArray(), device: device);

                    var batch = net.Gather(userRows, userInverse, itemRows, itemInverse);
                    var loss = BatchLoss(batch, adversarial);
                    Tensor? userDelta = null;
                    if (privacy is not null) (loss, userDelta) = privacy.Play(net, batch, batchUsers.AsSpan(0, userCount), loss, protecting);
                    loss.backward();
                    net.Step(batch, _options.UseItemBias);
                    if (userDelta is not null) net.AddToUserRows(batch.UserRows, userDelta);
                    lossTotal.add_(loss.detach() * len);
                }
                lossSum = lossTotal.item<float>();
            }
            clock.Stop();

            double? metric = null;
            if (validate is not null)
            {
                var snapshot = net.Snapshot(train.Users, train.Items);
                metric = validate(snapshot);
                if (metric > bestMetric) { bestMetric = metric.Value; best = snapshot; bestEpoch = epoch; sinceBest = 0; }
                else sinceBest++;
            }
            var report = new TrainingEpochReport(epoch, o.Epochs, lossSum / pairs, metric, clock.Elapsed.TotalSeconds, pairs, adversarial,
                privacy?.TakeEpochAdversaryLoss());
            history.Add(report);
            _log?.Invoke(report.ToString());
            o.Progress?.Report(report);
            if (!double.IsFinite(report.Loss))
                throw new InvalidOperationException($"Training diverged at epoch {epoch} (loss {report.Loss}); lower LearningRate or raise L2Regularization.");
            if (validate is not null && o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience)
            {
                _log?.Invoke($"early stopping after epoch {epoch}: no improvement for {sinceBest} validated epochs; keeping epoch {bestEpoch}");
                break;
            }
        }

        LastCheckpoint = TrainingCheckpoint.Capture(net, train, firstEpoch - 1 + history.Count);
        if (best is not null) return new TrainingResult(best, history, bestEpoch);
        return new TrainingResult(net.Snapshot(train.Users, train.Items), history, firstEpoch - 1 + history.Count);
    }

    /// <summary>Dynamic negative sampling: for each pair, the candidate with the highest current score.</summary>
    private static long[] HardestNegatives(MatrixFactorizationNetwork net, ReadOnlySpan<long> users, ReadOnlySpan<long> candidates, int perPair, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var userTensor = torch.tensor(users.ToArray(), device: device);
        var candidateTensor = torch.tensor(candidates.ToArray(), [users.Length, perPair], device: device);
        var best = candidateTensor.gather(1, net.ScoreCandidates(userTensor, candidateTensor).argmax(1, keepdim: true)).squeeze(1);
        return best.cpu().data<long>().ToArray();
    }

    private Tensor BatchLoss(MatrixFactorizationNetwork.Batch b, bool adversarial)
    {
        var biasDiff = _options.UseItemBias ? b.Bi - b.Bj : null;
        var clean = BprLoss(b.Pu, b.Qi, b.Qj, biasDiff);
        var loss = clean;
        if (adversarial)
        {
            // Worst-case direction of the clean loss for each gathered row, treated as a constant (APR eq. 7).
            var grads = torch.autograd.grad([clean], [b.Pu, b.Qi, b.Qj], retain_graph: true);
            var du = nn.functional.normalize(grads[0], p: 2, dim: 1) * _epsilon;
            var di = nn.functional.normalize(grads[1], p: 2, dim: 1) * _epsilon;
            var dj = nn.functional.normalize(grads[2], p: 2, dim: 1) * _epsilon;
            loss = clean + _adversarialWeight * BprLoss(b.Pu + du.detach(), b.Qi + di.detach(), b.Qj + dj.detach(), biasDiff);
        }
        if (_options.L2Regularization > 0)
        {
            var reg = b.Pu.square().sum() + b.Qi.square().sum() + b.Qj.square().sum();
            if (_options.UseItemBias) reg = reg + b.Bi.square().sum() + b.Bj.square().sum();
            loss = loss + _options.L2Regularization * reg / b.Pu.shape[0];
        }
        return loss;
    }

    private static Tensor BprLoss(Tensor pu, Tensor qi, Tensor qj, Tensor? biasDiff)
    {
        var x = (pu * (qi - qj)).sum(1);
        if (biasDiff is not null) x = x + biasDiff;
        return -nn.functional.logsigmoid(x).mean();
    }
}
