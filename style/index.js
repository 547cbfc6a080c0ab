import './base.css';
import './capture.css';
import './detail.css';
import './compare.css';
import './reproduce.css';
import './provenance.css';
import './snapshot.css';
