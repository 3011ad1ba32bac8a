using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The CFGAN game (Chae et al., "CFGAN: A Generic Collaborative Filtering Framework based on Generative Adversarial
/// Networks", CIKM 2018), vector-wise. The generator G maps a user's purchase vector c_u (the condition) to a generated
/// purchase vector; the discriminator D judges (vector, condition) pairs, the real vector being c_u itself and the fake
/// one G(c_u) ⊙ (c_u + k_u), where k_u marks the partial-masking (PM) negatives: the generator must put low values on
/// them to look real. Zero reconstruction (ZR) adds α · Σ G(c_u)_j² over a second sample of unpurchased items j. Each
/// round draws both samples afresh, then takes <c>DiscriminatorSteps</c> passes over the users for D and
/// <c>GeneratorSteps</c> for G, with Adam on each. G's output for c_u is the ranking. Item-based, the same game is
/// played on the transposed purchases (items' vectors over the users).
/// </summary>
internal sealed class CfganTrainingEngine : IEpochTrainer
{
    private readonly CfganTrainer.Options _options;
    private readonly InteractionData _train;
    private readonly InteractionData _rows; // the game's rows: the users, or the items when item-based
    private readonly int _seed;
    private readonly int _items;
    private readonly Device _device;
    private readonly int[] _users; // shuffled in place, round after round: part of the state
    private readonly SigmoidMlp _generator, _discriminator;
    private readonly DenseAdam _generatorOptimizer, _discriminatorOptimizer;
    private readonly ParameterAverage? _average;
    private readonly Scalar _zeroReconstructionWeight; // held: see TensorArithmetic
    private readonly Batch _batch;

    public CfganTrainingEngine(CfganTrainer.Options options, InteractionData train, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("The training data has no positive interactions (check MinRating).");
        if (train.Items.Count < 2) throw new ArgumentException("CFGAN needs at least two items.");
        var o = _options = options;
        _train = train;
        _seed = seed;
        _device = TorchTraining.ResolveDevice(o.Device);
        // The game is played on rows (users, or items when item-based), each a purchase vector over the columns.
        _rows = o.Orientation == CfganOrientation.UserBased ? train : train.Transposed();
        int items = _items = _rows.Items.Count;
        var rng = new Random(seed);
        _generator = new SigmoidMlp("generator", items + o.NoiseDimension,
            Enumerable.Repeat(o.GeneratorHiddenSize, o.GeneratorHiddenLayers).ToArray(), items, rng, _device);
        _discriminator = new SigmoidMlp("discriminator", 2 * items,
            Enumerable.Repeat(o.DiscriminatorHiddenSize, o.DiscriminatorHiddenLayers).ToArray(), 1, rng, _device);
        _generatorOptimizer = new DenseAdam(_generator.parameters(), o.GeneratorLearningRate, o.GeneratorL2Regularization);
        _discriminatorOptimizer = new DenseAdam(_discriminator.parameters(), o.DiscriminatorLearningRate, o.DiscriminatorL2Regularization);
        _zeroReconstructionWeight = o.ZeroReconstructionWeight.ToScalar();
        _average = o.GeneratorAveragingDecay > 0 ? new ParameterAverage(_generator.parameters(), o.GeneratorAveragingDecay) : null;
        // Rows without purchases have no condition to learn from; they are still scored (from the zero vector).
        _users = _rows.ActiveUsers().ToArray();
        _batch = new Batch(Math.Max(o.GeneratorBatchSize, o.DiscriminatorBatchSize), items, o.NoiseDimension, o.ConditionDropout);
    }

    public IReadOnlyList<TrainingPhase> Phases { get; } = [new("game", 0, EndsOnPlateau: false, Selectable: true)];

    public string DivergenceAdvice => "lower the learning rates";

    public void EnterPhase(int phase, IRecommenderModel? start) { }

    public EpochOutcome RunEpoch(int epoch, int phase, int? nextEpoch, CancellationToken cancellation)
    {
        var o = _options;
        var shuffle = new Random(unchecked(_seed * 31 + epoch));

        _generator.SetTrainable(false);
        _discriminator.SetTrainable(true);
        double discriminatorLoss = Passes(o.DiscriminatorSteps, o.DiscriminatorBatchSize, shuffle, cancellation, rows =>
        {
            _batch.Fill(_rows, rows, epoch, o, _seed, zeroReconstruction: false, shuffle);
            var (condition, input, mask, _, noise) = _batch.Tensors(rows.Length, _device, zeroReconstruction: false);
            Tensor fake;
            using (torch.no_grad()) fake = Generate(_generator, input, noise) * mask;
            var realLogits = _discriminator.Forward(torch.cat([condition, condition], 1));
            var fakeLogits = _discriminator.Forward(torch.cat([condition, fake], 1));
            var loss = nn.functional.binary_cross_entropy_with_logits(realLogits, torch.ones_like(realLogits))
                .Plus(nn.functional.binary_cross_entropy_with_logits(fakeLogits, torch.zeros_like(fakeLogits)));
            _discriminatorOptimizer.ZeroGrad();
            loss.backward();
            _discriminatorOptimizer.Step();
            return loss.item<float>();
        });

        _generator.SetTrainable(true);
        _discriminator.SetTrainable(false); // gradients flow through D to G's output, not into D's weights
        bool zr = o.ZeroReconstructionRatio > 0 && o.ZeroReconstructionWeight > 0;
        double generatorLoss = Passes(o.GeneratorSteps, o.GeneratorBatchSize, shuffle, cancellation, rows =>
        {
            _batch.Fill(_rows, rows, epoch, o, _seed, zr, shuffle);
            var (condition, input, mask, zeroMask, noise) = _batch.Tensors(rows.Length, _device, zr);
            var generated = Generate(_generator, input, noise);
            var fakeLogits = _discriminator.Forward(torch.cat([condition, generated * mask], 1));
            var loss = nn.functional.binary_cross_entropy_with_logits(fakeLogits, torch.ones_like(fakeLogits));
            if (zr) loss = loss.Plus((generated * generated * zeroMask!).sum(1).mean().mul(_zeroReconstructionWeight));
            _generatorOptimizer.ZeroGrad();
            loss.backward();
            _generatorOptimizer.Step();
            _average?.Update();
            return loss.item<float>();
        });
        _discriminator.SetTrainable(true);
        return new EpochOutcome(generatorLoss, (long)_users.Length * (o.GeneratorSteps + o.DiscriminatorSteps), Adversarial: true, DiscriminatorLoss: discriminatorLoss);
    }

    /// <summary>
    /// <paramref name="passes"/> passes over the rows, each in a fresh shuffle, in batches of <paramref name="batchSize"/>;
    /// returns the mean of <paramref name="step"/>'s losses (0 when there was no batch).
    /// </summary>
    private double Passes(int passes, int batchSize, Random shuffle, CancellationToken cancellation, Func<ReadOnlySpan<int>, double> step)
    {
        double lossSum = 0;
        int batches = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            shuffle.Shuffle(_users);
            for (int start = 0; start < _users.Length; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                lossSum += step(_users.AsSpan(start, Math.Min(batchSize, _users.Length - start)));
                batches++;
            }
        }
        return lossSum / Math.Max(1, batches);
    }

    public IRecommenderModel Snapshot() => Snapshot(_generator, _average, _train, _items);

    /// <summary>G and D, both Adam states, the weight average and the order of the rows.</summary>
    public void WriteState(BinaryWriter writer)
    {
        TensorState.WriteModule(writer, _generator);
        TensorState.WriteModule(writer, _discriminator);
        _generatorOptimizer.WriteState(writer);
        _discriminatorOptimizer.WriteState(writer);
        _average?.WriteState(writer);
        TensorState.WriteInts(writer, _users);
    }

    public void ReadState(BinaryReader reader)
    {
        TensorState.ReadModule(reader, _generator);
        TensorState.ReadModule(reader, _discriminator);
        _generatorOptimizer.ReadState(reader);
        _discriminatorOptimizer.ReadState(reader);
        _average?.ReadState(reader);
        TensorState.ReadInts(reader, _users);
    }

    public void Dispose()
    {
        _batch.Dispose();
        _average?.Dispose();
        _zeroReconstructionWeight.Dispose();
        _generatorOptimizer.Dispose();
        _discriminatorOptimizer.Dispose();
        _generator.Dispose();
        _discriminator.Dispose();
    }

    /// <summary>G's output for a batch: its logits, through a sigmoid when the model's output is one.</summary>
    private Tensor Generate(SigmoidMlp generator, Tensor input, Tensor? noise)
    {
        var logits = generator.Forward(noise is null ? input : torch.cat([input, noise], 1));
        return _options.SigmoidOutput ? logits.sigmoid() : logits;
    }

    /// <summary>The generator as a plain model; the noise inputs (0 at serving, their mean) are dropped.</summary>
    private CfganModel Snapshot(SigmoidMlp generator, ParameterAverage? average, InteractionData train, int items)
    {
        var layers = generator.Export(average?.Values);
        if (_options.NoiseDimension > 0)
        {
            var first = layers[0];
            var weights = new float[first.Outputs * items];
            for (int o = 0; o < first.Outputs; o++)
                first.Weights.AsSpan(o * first.Inputs, items).CopyTo(weights.AsSpan(o * items, items));
            layers[0] = first with { Inputs = items, Weights = weights };
        }
        return new CfganModel(train, layers, _options.SigmoidOutput, _options.Orientation);
    }

    /// <summary>
    /// The host-side tensors of one batch (conditions, masks, noise), allocated once and filled in place: a batch
    /// allocates nothing on the managed heap. (Large per-batch arrays triggered frequent full collections, whose
    /// finalisers then freed TorchSharp's temporary Scalars while libtorch was still reading them.)
    /// </summary>
    private sealed class Batch : IDisposable
    {
        private readonly int _items, _noiseDimension;
        private readonly double _dropout;
        private readonly Tensor _condition, _mask, _zeroMask, _noise;
        private readonly Tensor? _input; // G's dropped-out input; null without condition dropout (G reads the condition)

        public Batch(int capacity, int items, int noiseDimension, double conditionDropout)
        {
            _items = items;
            _noiseDimension = noiseDimension;
            _dropout = conditionDropout;
            _condition = torch.zeros(capacity, items);
            _input = conditionDropout > 0 ? torch.zeros(capacity, items) : null;
            _mask = torch.zeros(capacity, items);
            _zeroMask = torch.zeros(capacity, items);
            _noise = torch.zeros(capacity, Math.Max(1, noiseDimension));
        }

        public void Fill(InteractionData train, ReadOnlySpan<int> users, int epoch, CfganTrainer.Options o, int seed, bool zeroReconstruction, Random noiseRng)
        {
            int n = users.Length, items = _items;
            var conditions = Floats(_condition);
            var masks = Floats(_mask);
            var zeroMasks = Floats(_zeroMask);
            // G's input: the condition with purchases dropped, the kept ones scaled so its expected value is the condition.
            var inputs = _input is null ? default : Floats(_input);
            float kept = (float)(1 / (1 - _dropout));
            conditions[..(n * items)].Clear();
            if (zeroReconstruction) zeroMasks[..(n * items)].Clear();
            if (_input is not null) inputs[..(n * items)].Clear();
            for (int r = 0; r < n; r++)
            {
                var purchased = train.ItemsOf(users[r]);
                var condition = conditions.Slice(r * items, items);
                foreach (var i in purchased) condition[i] = 1;
                var mask = masks.Slice(r * items, items);
                condition.CopyTo(mask);
                CfganNegativeMasks.Add(mask, purchased, o.PartialMaskingRatio, seed, epoch, users[r], CfganNegativeMasks.Scheme.PartialMasking);
                if (zeroReconstruction)
                    CfganNegativeMasks.Add(zeroMasks.Slice(r * items, items), purchased, o.ZeroReconstructionRatio, seed, epoch, users[r], CfganNegativeMasks.Scheme.ZeroReconstruction);
                if (_input is not null)
                {
                    var input = inputs.Slice(r * items, items);
                    foreach (var i in purchased)
                        if (noiseRng.NextDouble() >= _dropout) input[i] = kept;
                }
            }
            // Uniform in [-1, 1): mean 0, so serving with the noise at 0 (its mean) needs no extra inputs.
            var noise = Floats(_noise);
            for (int k = 0; k < n * _noiseDimension; k++) noise[k] = (float)(noiseRng.NextDouble() * 2 - 1);
        }

        /// <summary>The first <paramref name="n"/> rows, on <paramref name="device"/> (views on the CPU, copies elsewhere).</summary>
        /// <remarks><c>Input</c> is G's input: the condition, or with <see cref="CfganTrainer.Options.ConditionDropout"/> its dropped-out copy.</remarks>
        public (Tensor Condition, Tensor Input, Tensor Mask, Tensor? ZeroMask, Tensor? Noise) Tensors(int n, Device device, bool zeroReconstruction)
        {
            Tensor Rows(Tensor t) => t.narrow(0, 0, n).to(device);
            var condition = Rows(_condition);
            return (condition, _input is null ? condition : Rows(_input), Rows(_mask), zeroReconstruction ? Rows(_zeroMask) : null, _noiseDimension > 0 ? Rows(_noise) : null);
        }

        private static Span<float> Floats(Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);

        public void Dispose()
        {
            _condition.Dispose();
            _input?.Dispose();
            _mask.Dispose();
            _zeroMask.Dispose();
            _noise.Dispose();
        }
    }
}
