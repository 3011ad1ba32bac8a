using MLNet.Adversarial.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The privacy-adversarial part of a training run (<see cref="FactorizationTrainerOptions.Privacy"/>): the users'
/// sensitive classes, the <see cref="AttributeAdversary"/>, and the alternating min–max step of each batch — the
/// adversary first learns from the batch's (detached) user rows, then the recommender is pushed against the updated
/// adversary, either by a plain gradient step on the users (<see cref="PrivacyOptions.DecoupledStep"/>) or through an
/// extra term in the optimised loss.
/// </summary>
internal sealed class PrivacyGame : IDisposable
{
    private readonly PrivacyOptions _options;
    private readonly double _learningRate;
    private readonly int[] _labels;
    private readonly AttributeAdversary _adversary;
    private readonly long[] _knownSlots, _knownClasses;
    private readonly Tensor? _allLabelledUsers, _allLabelledClasses;
    private double _adversaryLossSum;
    private int _adversaryBatches;
    // Held, not converted per call: see TensorArithmetic.
    private readonly Scalar _privacyWeight, _reversedStep;

    public PrivacyGame(PrivacyOptions options, InteractionData train, int dimension, int batchSize, double learningRate, int seed, Device device)
    {
        _options = options;
        _learningRate = learningRate;
        _privacyWeight = options.PrivacyWeight.ToScalar();
        _reversedStep = (-(options.PrivacyWeight * learningRate)).ToScalar();
        var attributes = options.SensitiveAttributes!;
        _labels = attributes.LabelsFor(train.Users);
        if (_labels.All(l => l < 0))
            throw new ArgumentException($"No training user has a value in the sensitive attribute '{attributes.Name}': check that its user ids match the training data's.");
        var counts = new int[attributes.ClassCount];
        foreach (var l in _labels) if (l >= 0) counts[l]++;
        // Its own seeded stream, so that adding privacy leaves the recommender's initialisation and sampling unchanged.
        _adversary = new AttributeAdversary(dimension, counts.Length, counts, options.AdversaryHiddenSize, options.AdversaryLearningRate,
            new Random(unchecked(seed * 7_919 + 104_729)), device);
        _knownSlots = new long[batchSize];
        _knownClasses = new long[batchSize];
        if (options.AdversaryOnAllUsers)
        {
            var labelled = Enumerable.Range(0, _labels.Length).Where(u => _labels[u] >= 0).ToArray();
            _allLabelledUsers = torch.tensor(labelled.Select(u => (long)u).ToArray(), device: device);
            _allLabelledClasses = torch.tensor(labelled.Select(u => (long)_labels[u]).ToArray(), device: device);
        }
    }

    /// <summary>Whether the privacy term acts on the recommender in <paramref name="epoch"/>.</summary>
    public bool IsProtecting(int epoch) => _options.PrivacyWeight > 0 && epoch > _options.StartEpoch;

    /// <summary>
    /// Plays one batch. <paramref name="userRows"/> are the batch's distinct user indices, in the order of
    /// <c>batch.UserRows</c>, and <paramref name="representativePairs"/> the first pair of each: the adversary reads a
    /// user's vector from that pair's leaf, so its gradient reaches the user's row once. Returns the loss to optimise
    /// (with the privacy term when it enters the loss) and, for the decoupled step, the change to add to the distinct
    /// user rows after the optimiser's step.
    /// </summary>
    public (Tensor Loss, Tensor? UserDelta) Play(MatrixFactorizationNetwork net, MatrixFactorizationNetwork.Batch batch, ReadOnlySpan<long> userRows,
        ReadOnlySpan<long> representativePairs, Tensor loss, bool protecting)
    {
        int known = 0;
        for (int s = 0; s < userRows.Length; s++)
            if (_labels[userRows[s]] is var label and >= 0) { _knownSlots[known] = representativePairs[s]; _knownClasses[known++] = label; }
        if (known == 0) return (loss, null);

        var device = batch.Pu.device;
        var rows = batch.Pu.index_select(0, torch.tensor(_knownSlots.AsSpan(0, known).ToArray(), device: device));
        var classes = torch.tensor(_knownClasses.AsSpan(0, known).ToArray(), device: device);
        _adversaryLossSum += _allLabelledUsers is null
            ? _adversary.Train(rows, classes, _options.AdversarySteps)
            : _adversary.Train(net.UserRows(_allLabelledUsers), _allLabelledClasses!, _options.AdversarySteps);
        _adversaryBatches++;
        if (!protecting) return (loss, null);

        var privacyLoss = _adversary.PrivacyLoss(rows, classes, _options.Objective);
        if (!_options.DecoupledStep) return (loss.Plus(privacyLoss.mul(_privacyWeight)), null);
        // A plain gradient step on n·L (per-user scale, whatever the batch size), outside Adam: its per-coordinate
        // normalisation would blow small, label-dependent gradients up into full-size steps.
        using var knownCount = ((double)known).ToScalar();
        var perPair = torch.autograd.grad([privacyLoss.mul(knownCount)], [batch.Pu])[0];
        // Only the representative pairs carry a gradient, so summing per distinct row moves each user once.
        var gradient = torch.zeros(batch.UserRows.shape[0], perPair.shape[1], device: device).index_add_(0, batch.UserInverse, perPair, TensorArithmetic.One);
        return (loss, gradient.mul(_reversedStep));
    }

    /// <summary>The adversary's mean loss over the batches since the last call, or null when it did not train.</summary>
    public double? TakeEpochAdversaryLoss()
    {
        double? mean = _adversaryBatches > 0 ? _adversaryLossSum / _adversaryBatches : null;
        _adversaryLossSum = 0;
        _adversaryBatches = 0;
        return mean;
    }

    /// <summary>The adversary's weights and its optimiser's moments (the rest is derived from the options and data).</summary>
    public void WriteState(BinaryWriter writer) => _adversary.WriteState(writer);

    public void ReadState(BinaryReader reader) => _adversary.ReadState(reader);

    public void Dispose()
    {
        _adversary.Dispose();
        _privacyWeight.Dispose();
        _reversedStep.Dispose();
        _allLabelledUsers?.Dispose();
        _allLabelledClasses?.Dispose();
    }
}
