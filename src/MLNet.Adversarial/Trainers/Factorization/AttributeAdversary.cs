using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The privacy adversary: a small classifier (one ReLU hidden layer, or linear) that predicts a sensitive class from
/// a user embedding, trained with its own Adam optimiser on the detached user rows of each batch, with class-balanced
/// cross-entropy (so that "predict the majority" is no success). <see cref="PrivacyLoss"/> is the term the recommender
/// adds to its own loss. It exists only during training; nothing of it is exported.
/// </summary>
internal sealed class AttributeAdversary : nn.Module
{
    private readonly Linear? _hidden;
    private readonly Linear _output;
    private readonly Adam _optimizer;
    private readonly Tensor _classWeights;
    private readonly int _classCount;

    /// <param name="dimension">Embedding size.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="classCounts">Users per class, for the balanced class weights.</param>
    /// <param name="hiddenSize">Hidden units; 0 for a linear adversary.</param>
    /// <param name="learningRate">Adam learning rate.</param>
    /// <param name="rng">Seeded initialisation (not torch's global generator), so runs are reproducible.</param>
    /// <param name="device">Training device.</param>
    public AttributeAdversary(int dimension, int classCount, IReadOnlyList<int> classCounts, int hiddenSize, double learningRate, Random rng, Device device)
        : base(nameof(AttributeAdversary))
    {
        _classCount = classCount;
        int inputs = dimension;
        if (hiddenSize > 0)
        {
            _hidden = Init(nn.Linear(dimension, hiddenSize), dimension, hiddenSize, rng);
            inputs = hiddenSize;
        }
        _output = Init(nn.Linear(inputs, classCount), inputs, classCount, rng);
        if (_hidden is not null) register_module("hidden", _hidden);
        register_module("output", _output);
        this.to(device);
        int total = classCounts.Sum();
        _classWeights = torch.tensor(classCounts.Select(c => c > 0 ? (float)total / (classCount * c) : 0f).ToArray(), device: device);
        _optimizer = optim.Adam(parameters(), lr: learningRate);
    }

    /// <summary>Class logits [B, classes] of embeddings [B, d].</summary>
    public Tensor Forward(Tensor embeddings)
    {
        var x = embeddings;
        if (_hidden is not null) x = nn.functional.relu(_hidden.forward(x));
        return _output.forward(x);
    }

    /// <summary>Takes <paramref name="steps"/> Adam steps on (embeddings, labels), the embeddings detached. Returns the last loss.</summary>
    public double Train(Tensor embeddings, Tensor labels, int steps)
    {
        using var scope = torch.NewDisposeScope();
        var x = embeddings.detach();
        double last = 0;
        for (int s = 0; s < steps; s++)
        {
            _optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(Forward(x), labels, weight: _classWeights);
            loss.backward();
            _optimizer.step();
            if (s == steps - 1) last = loss.item<float>();
        }
        _optimizer.zero_grad();
        return last;
    }

    /// <summary>
    /// The recommender's privacy term on <paramref name="embeddings"/> (which carry the recommender's gradient):
    /// −CE(adversary, labels) for gradient reversal, or the cross-entropy of the adversary's prediction against the
    /// uniform distribution for confusion. Gradients that reach the adversary's own weights are discarded by its next
    /// <see cref="Train"/> call.
    /// </summary>
    public Tensor PrivacyLoss(Tensor embeddings, Tensor labels, PrivacyObjective objective)
    {
        var logits = Forward(embeddings);
        switch (objective)
        {
            case PrivacyObjective.GradientReversal:
                return -nn.functional.cross_entropy(logits, labels, weight: _classWeights);
            case PrivacyObjective.Confusion:
                return -nn.functional.log_softmax(logits, 1).mean();
            default:
            {
                // Σ_c ‖mean of the class-c rows − mean of all rows‖² of the log-probabilities (classes absent from the batch add nothing).
                var logp = nn.functional.log_softmax(logits, 1);
                var overall = logp.mean([0]);
                var oneHot = nn.functional.one_hot(labels, _classCount).to(logp.dtype);
                var counts = oneHot.sum([0]);
                var classMeans = oneHot.t().matmul(logp) / counts.clamp_min(TensorArithmetic.One).unsqueeze(1);
                var present = (counts > 0).to(logp.dtype).unsqueeze(1);
                return ((classMeans - overall.unsqueeze(0)).square() * present).sum();
            }
        }
    }

    /// <summary>Writes the weights and the Adam state (moments and step counts).</summary>
    public void WriteState(BinaryWriter writer)
    {
        TensorState.WriteModule(writer, this);
        _optimizer.save_state_dict(writer);
    }

    public void ReadState(BinaryReader reader)
    {
        TensorState.ReadModule(reader, this);
        _optimizer.load_state_dict(reader);
    }

    private static Linear Init(Linear layer, int fanIn, int fanOut, Random rng)
    {
        // PyTorch's default bound 1/sqrt(fan_in), drawn from a seeded System.Random.
        double bound = 1.0 / Math.Sqrt(fanIn);
        using var noGrad = torch.no_grad();
        var w = new float[fanOut * fanIn];
        for (int k = 0; k < w.Length; k++) w[k] = (float)((rng.NextDouble() * 2 - 1) * bound);
        var b = new float[fanOut];
        for (int k = 0; k < b.Length; k++) b[k] = (float)((rng.NextDouble() * 2 - 1) * bound);
        layer.weight!.copy_(torch.tensor(w, [fanOut, fanIn]));
        layer.bias!.copy_(torch.tensor(b, [fanOut]));
        return layer;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer.Dispose();
            _classWeights.Dispose();
        }
        base.Dispose(disposing);
    }
}
