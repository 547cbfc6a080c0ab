import './base.css';
import './capture.css';
