using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The epoch of BPR and APR, for the <see cref="TrainingLoop"/>. Each epoch shuffles the positives, draws negatives
/// and takes mini-batch steps on the BPR loss −ln σ(x_ui − x_uj), plus, in the adversarial phase, λ times the same
/// loss under the worst-case perturbation of the gathered embedding rows: Δ = ε·g/‖g‖₂ per row, g the gradient of the
/// clean loss (He et al., "Adversarial Personalized Ranking for Recommendation", SIGIR 2018). With
/// <see cref="FactorizationTrainerOptions.Privacy"/>, each batch also plays the <see cref="PrivacyGame"/>; with
/// <see cref="FactorizationTrainerOptions.ItemText"/>, the network adds projected text to the item vectors (the hybrid model).
/// </summary>
/// <remarks>
/// Phases: APR trains plain BPR first ("bpr"), then adversarially ("apr"); the warm-up ends at
/// <c>AdversarialStartEpoch</c> when it is given, otherwise when validation stops improving, at the latest after half
/// the epochs (without validation data: after half the epochs). Only the adversarial phase is selectable, so the
/// served APR model is an adversarially trained one. Privacy with a <see cref="PrivacyOptions.StartEpoch"/> and no APR
/// has a fixed warm-up of that many epochs.
/// </remarks>
internal sealed class PairwiseTrainingEngine : IEpochTrainer
{
    private readonly FactorizationTrainerOptions _options;
    private readonly InteractionData _train;
    private readonly TrainingText? _text;
    private readonly bool _apr;
    private readonly MatrixFactorizationNetwork _net;
    private readonly EpochSampler _sampling;
    private readonly PrivacyGame? _privacy;
    private readonly int _candidates;
    private readonly Device _device;
    private readonly RowDeduplicator _users, _items;
    private readonly long[] _rowBuffer, _inverseBuffer, _batchUsers, _representativePairs;
    // Held for the engine's lifetime; see RowSparseOptimizer on why temporary Scalars are avoided in the hot loop.
    private readonly Scalar _epsilonScalar, _adversarialWeightScalar;
    private readonly Scalar? _textL2Twice;

    /// <param name="options">The factorisation options.</param>
    /// <param name="epsilon">APR's ε.</param>
    /// <param name="adversarialWeight">APR's λ; 0: plain BPR.</param>
    /// <param name="adversarialStartEpoch">The fixed end of the BPR warm-up; null: when validation stops improving (at the latest after half the epochs).</param>
    /// <param name="train">The training positives.</param>
    /// <param name="text">The hybrid model's text, or null.</param>
    /// <param name="seed">The seed of initialisation and sampling.</param>
    public PairwiseTrainingEngine(FactorizationTrainerOptions options, double epsilon, double adversarialWeight, int? adversarialStartEpoch,
        InteractionData train, TrainingText? text, int seed)
    {
        if (train.Count == 0) throw new ArgumentException("The training data has no positive interactions (check MinRating).");
        _options = options;
        _train = train;
        _text = text;
        _apr = adversarialWeight > 0;
        var o = options;
        _device = TorchTraining.ResolveDevice(o.Device);
        _epsilonScalar = epsilon.ToScalar();
        _adversarialWeightScalar = adversarialWeight.ToScalar();
        if (o.TextProjectionL2 > 0) _textL2Twice = (2 * o.TextProjectionL2).ToScalar();
        _net = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, o.EmbeddingDimension, o.InitialStandardDeviation,
            new Random(seed), o.Optimizer, o.LearningRate, _device, text);
        if (o.WarmStart is { } start)
        {
            // An update continues from the served weights and, when the checkpoint is given, from its optimiser state.
            if (o.WarmStartState is { } checkpoint) ContinueOptimizer(checkpoint, train, o);
            _net.LoadWeights(start);
        }
        _candidates = o.NegativeSampler == NegativeSamplerKind.Dynamic ? o.DynamicCandidates : 1;
        _sampling = new EpochSampler(train, o.NegativesPerPositive, _candidates, seed);
        _users = new RowDeduplicator(train.Users.Count);
        _items = new RowDeduplicator(train.Items.Count);
        _rowBuffer = new long[2 * o.BatchSize];
        _inverseBuffer = new long[2 * o.BatchSize];
        _privacy = o.Privacy is null ? null : new PrivacyGame(o.Privacy, train, o.EmbeddingDimension, o.BatchSize, o.LearningRate, seed, _device);
        _batchUsers = new long[o.BatchSize];
        _representativePairs = new long[o.BatchSize];
        Phases = SchedulePhases(o, _apr, adversarialStartEpoch);
    }

    public IReadOnlyList<TrainingPhase> Phases { get; }

    /// <summary>Copies the optimiser state of <paramref name="checkpoint"/> (a factorisation checkpoint over its own vocabularies) into the rows of the same ids.</summary>
    private void ContinueOptimizer(TrainingCheckpoint checkpoint, InteractionData train, FactorizationTrainerOptions o)
    {
        using var old = new MatrixFactorizationNetwork(checkpoint.Users.Count, checkpoint.Items.Count, o.EmbeddingDimension, o.InitialStandardDeviation,
            new Random(0), o.Optimizer, o.LearningRate, _device);
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.TrainerState))) TensorState.ReadModule(reader, old);
        var userRows = Enumerable.Range(0, train.Users.Count).Select(u => checkpoint.Users.IndexOf(train.Users, u)).ToArray();
        var itemRows = Enumerable.Range(0, train.Items.Count).Select(i => checkpoint.Items.IndexOf(train.Items, i)).ToArray();
        _net.LoadOptimizerState(old, userRows, itemRows);
    }

    public string DivergenceAdvice => "lower LearningRate or raise L2Regularization";

    private static TrainingPhase[] SchedulePhases(FactorizationTrainerOptions o, bool apr, int? adversarialStartEpoch)
    {
        string main = o.Privacy is null ? apr ? "apr" : "bpr" : apr ? "apr-privacy" : "privacy";
        if (apr)
        {
            // A warm-up that ends on a validation plateau has run past its best: the adversarial phase starts from the
            // best BPR model (the converged one, as IRGAN's game starts from the best pre-trained G). A fixed
            // AdversarialStartEpoch means what it says: the adversarial term joins at that epoch.
            bool plateau = adversarialStartEpoch is null;
            return [new("bpr", adversarialStartEpoch ?? o.Epochs / 2, EndsOnPlateau: plateau, Selectable: false), new(main, 0, false, true, StartsFromPreviousBest: plateau)];
        }
        if (o.Privacy is { PrivacyWeight: > 0, StartEpoch: > 0 } p)
            return [new("bpr", p.StartEpoch, EndsOnPlateau: false, Selectable: false), new(main, 0, false, true)];
        return [new(main, 0, false, true)];
    }

    public void EnterPhase(int phase, IRecommenderModel? start)
    {
        // The adversarial phase starts from the given model (see SchedulePhases), or continues from the current
        // weights; the optimiser state continues either way.
        if (start is not null) _net.LoadWeights(start);
    }

    public EpochOutcome RunEpoch(int epoch, int phase, int? nextEpoch, CancellationToken cancellation)
    {
        var o = _options;
        // One RNG per epoch, derived from the seed: a run resumed at any epoch draws what an uninterrupted one would.
        var drawn = _sampling.Get(epoch, nextEpoch);
        var (u, i, j) = (drawn.Users, drawn.Positives, drawn.Negatives);
        long pairs = _sampling.PairCount;
        bool adversarial = _apr && phase == Phases.Count - 1;
        bool protecting = _privacy?.IsProtecting(epoch) ?? false;
        using var epochScope = torch.NewDisposeScope();
        var lossTotal = torch.zeros(1, device: _device);
        for (int start = 0; start < pairs; start += o.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int len = (int)Math.Min(o.BatchSize, pairs - start);
            using var batchScope = torch.NewDisposeScope();
            var bu = u.AsSpan(start, len);
            var bi = i.AsSpan(start, len);
            ReadOnlySpan<long> bj = _candidates == 1 ? j.AsSpan(start, len) : HardestNegatives(bu, j.AsSpan(start * _candidates, len * _candidates));
            int userCount = _users.Deduplicate(bu, [], _rowBuffer, _inverseBuffer);
            var userRows = torch.tensor(_rowBuffer.AsSpan(0, userCount).ToArray(), device: _device);
            var userInverse = torch.tensor(_inverseBuffer.AsSpan(0, len).ToArray(), device: _device);
            _rowBuffer.AsSpan(0, userCount).CopyTo(_batchUsers);
            if (_privacy is not null)
                for (int k = len - 1; k >= 0; k--) _representativePairs[_inverseBuffer[k]] = k; // ends at each user's first pair
            int itemCount = _items.Deduplicate(bi, bj, _rowBuffer, _inverseBuffer);
            var itemRows = torch.tensor(_rowBuffer.AsSpan(0, itemCount).ToArray(), device: _device);
            var itemInverse = torch.tensor(_inverseBuffer.AsSpan(0, 2 * len).ToArray(), device: _device);

            var batch = _net.Gather(userRows, userInverse, itemRows, itemInverse);
            var loss = BatchLoss(batch, adversarial);
            Tensor? userDelta = null;
            if (_privacy is not null) (loss, userDelta) = _privacy.Play(_net, batch, _batchUsers.AsSpan(0, userCount), _representativePairs.AsSpan(0, userCount), loss, protecting);
            loss.backward();
            MatrixFactorizationNetwork.AddL2Gradient(batch, o.EffectiveL2Regularization);
            _net.Step(batch, o.UseItemBias, _textL2Twice);
            if (userDelta is not null) _net.AddToUserRows(batch.UserRows, userDelta);
            using var weight = ((double)len).ToScalar();
            lossTotal.add_(loss.detach(), alpha: weight);
        }
        double lossSum = lossTotal.item<float>();
        return new EpochOutcome(lossSum / pairs, pairs, adversarial, _privacy?.TakeEpochAdversaryLoss());
    }

    public IRecommenderModel Snapshot()
    {
        var factors = _net.Snapshot(_train.Users, _train.Items);
        return _text is null ? factors : _text.Model(factors, _net.ItemTextWeights(), _net.UserTextWeights());
    }

    /// <summary>The network's module state first (a version-2 checkpoint's trainer state is exactly that block), then the privacy adversary's.</summary>
    public void WriteState(BinaryWriter writer)
    {
        TensorState.WriteModule(writer, _net);
        _privacy?.WriteState(writer);
    }

    public void ReadState(BinaryReader reader)
    {
        TensorState.ReadModule(reader, _net);
        _privacy?.ReadState(reader);
    }

    /// <summary>Dynamic negative sampling: for each pair, the candidate with the highest current score.</summary>
    private long[] HardestNegatives(ReadOnlySpan<long> users, ReadOnlySpan<long> candidates)
    {
        using var scope = torch.NewDisposeScope();
        var userTensor = torch.tensor(users.ToArray(), device: _device);
        var candidateTensor = torch.tensor(candidates.ToArray(), [users.Length, _candidates], device: _device);
        var best = candidateTensor.gather(1, _net.ScoreCandidates(userTensor, candidateTensor).argmax(1, keepdim: true)).squeeze(1);
        return best.cpu().data<long>().ToArray();
    }

    private Tensor BatchLoss(MatrixFactorizationNetwork.Batch b, bool adversarial)
    {
        var biasDiff = _options.UseItemBias ? b.Bi - b.Bj : null;
        // The effective vectors are the leaves themselves for the id-only model, and id + projected text for the hybrid.
        var (pu, qi, qj) = (b.UserVectors, b.PositiveVectors, b.NegativeVectors);
        var clean = BprObjective.Loss(pu, qi, qj, biasDiff);
        if (!adversarial) return clean;
        return clean.Plus(BprObjective.AdversarialLoss(clean, pu, qi, qj, biasDiff, _epsilonScalar).mul(_adversarialWeightScalar));
    }

    public void Dispose()
    {
        _sampling.Dispose();
        _privacy?.Dispose();
        _net.Dispose();
        _epsilonScalar.Dispose();
        _adversarialWeightScalar.Dispose();
        _textL2Twice?.Dispose();
    }
}
