namespace CnnGen
{
    /// <summary>How a conv or pool pads its input.</summary>
    public enum PaddingMode
    {
        /// <summary>The default: the padding the <c>Padding…</c> properties give (0 when none is written).</summary>
        Explicit = 0,

        /// <summary>
        /// Output ⌈W/S⌉ per axis by definition (never CNN001); the total padding max((out − 1)·S + Fd − W, 0) is split with
        /// the odd cell at the end (right, bottom): TensorFlow/Keras <c>same</c>, ONNX <c>SAME_UPPER</c>, PyTorch <c>padding='same'</c>.
        /// </summary>
        Same = 1,

        /// <summary>As <see cref="Same"/>, with the odd cell at the start (left, top): ONNX <c>SAME_LOWER</c>.</summary>
        SameLower = 2,
    }
}
